package io.github.ane4j.demo;

import static io.github.ane4j.demo.Activation.*;

/**
 * The model: Llama-style blocks (RMSNorm, causal multi-head attention, SwiGLU feed-forward, no biases)
 * with a learned absolute position embedding instead of RoPE, and a classifier tied to the token embedding
 * or separate. Per layer, on channel-first {@code [D][S]} activations:
 * <pre>
 *   xn = rmsnorm(x)·rms_attention;  q, k, v = wq·xn, wk·xn, wv·xn;  a = attention(q, k, v);  x2 = x + wo·a
 *   xn2 = rmsnorm(x2)·rms_ffn;  x' = x2 + w2·(silu(w1·xn2)·w3·xn2)
 * </pre>
 * with {@code x = token_embedding[tokens] + position_embedding} entering the first layer and
 * {@code logits = classifier·rmsnorm(x_L)·rms_final} leaving the last.
 *
 * <p>One forward and backward pass over a window: the ops of {@link TransformerOps} in order, and
 * between them the maths that stays in Java — the embedding and its gradient, the residual adds, and every
 * weight gradient ({@code dW += dy·xᵀ}, RMSNorm gains).
 */
final class Transformer {
    private final ModelConfig config;
    private final TransformerOps ops;
    private final int dim, hidden, seq, layers;
    /** Java's [D][S] working buffer for residual sums. */
    private final float[] sum;
    /** Java's [H][S] working buffer for the feed-forward gate silu(h1)·h3, the input of w2. */
    private final float[] gate;

    Transformer(ModelConfig config, TransformerOps ops) {
        this.config = config;
        this.ops = ops;
        this.dim = config.dim();
        this.hidden = config.hidden();
        this.seq = config.seq();
        this.layers = config.layers();
        this.sum = new float[dim * seq];
        this.gate = new float[hidden * seq];
    }

    /**
     * Runs the model on {@code tokens[0 .. seq)} with the embedding tables of {@code weights} (the other
     * weights are the kernels' loaded ones) and returns the logits {@code [vocab][seq]}: the kernels'
     * buffer, valid until their next call.
     */
    float[] forward(ModelWeights weights, int[] tokens) {
        Embedding.forward(sum, tokens, weights.tokenEmbedding, weights.positionEmbedding, dim, seq);
        ops.write(X, 0, sum);
        for (int l = 0; l < layers; l++) {
            ops.attentionNorm(l);
            ops.qkv(l);
            ops.attention(l);
            ops.outputProjection(l);
            add(sum, ops.read(X, l), ops.read(O, l));
            ops.write(X2, l, sum);
            ops.ffnNorm(l);
            ops.ffn(l);
            add(sum, ops.read(X2, l), ops.read(F, l));
            ops.write(X, l + 1, sum);
        }
        ops.finalNorm();
        ops.classifier();
        return ops.read(LOGITS);
    }

    /**
     * Back-propagates {@code dlogits} (the loss gradient of the logits of the last {@link #forward}, which
     * must have run on the same {@code tokens}) and adds the gradient of every parameter to {@code grads}.
     */
    void backward(ModelWeights grads, int[] tokens, float[] dlogits) {
        ops.write(DLOGITS, dlogits);
        ops.classifierBackward();
        Linear.addWeightGradient(grads.classifier, ops.read(DLOGITS), ops.read(XF), config.vocab(), dim, seq);
        ops.finalNormBackward();
        RmsNorm.addWeightGradient(grads.rmsFinal, ops.read(DXF), ops.read(X, layers), dim, seq);
        for (int l = layers - 1; l >= 0; l--) {
            LayerWeights g = grads.layers[l];

            ops.ffnBackward(l);
            SwiGlu.forward(gate, ops.read(H1, l), ops.read(H3, l), hidden * seq); // the kernels keep h1 and h3 only
            Linear.addWeightGradient(g.w2(), ops.read(DX, l + 1), gate, dim, hidden, seq);
            Linear.addWeightGradient(g.w1(), ops.read(DH1, l), ops.read(XN2, l), hidden, dim, seq);
            Linear.addWeightGradient(g.w3(), ops.read(DH3, l), ops.read(XN2, l), hidden, dim, seq);
            ops.ffnNormBackward(l);
            RmsNorm.addWeightGradient(g.rmsFfn(), ops.read(DXN2, l), ops.read(X2, l), dim, seq);
            add(sum, ops.read(DX2, l), ops.read(DX, l + 1)); // the residual path around the ffn
            ops.write(DX2, l, sum);

            ops.outputProjectionBackward(l);
            Linear.addWeightGradient(g.wo(), ops.read(DX2, l), ops.read(A, l), dim, dim, seq);
            ops.attentionBackward(l);
            ops.qkvBackward(l);
            float[] xn = ops.read(XN, l);
            Linear.addWeightGradient(g.wq(), ops.read(DQ, l), xn, dim, dim, seq);
            Linear.addWeightGradient(g.wk(), ops.read(DK, l), xn, dim, dim, seq);
            Linear.addWeightGradient(g.wv(), ops.read(DV, l), xn, dim, dim, seq);
            ops.attentionNormBackward(l);
            RmsNorm.addWeightGradient(g.rmsAttention(), ops.read(DXN, l), ops.read(X, l), dim, seq);
            add(sum, ops.read(DX, l), ops.read(DX2, l)); // the residual path around attention
            ops.write(DX, l, sum);
        }
        Embedding.addGradient(grads.tokenEmbedding, grads.positionEmbedding, ops.read(DX, 0), tokens, dim, seq);
    }

    private static void add(float[] out, float[] a, float[] b) {
        for (int i = 0; i < out.length; i++) out[i] = a[i] + b[i];
    }
}
