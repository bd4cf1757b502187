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
 * <p>One forward and backward pass over a window: the ops of {@link TransformerKernels} in order, and
 * between them the maths that stays in Java — the embedding and its gradient, the residual adds, and every
 * weight gradient ({@code dW += dy·xᵀ}, RMSNorm gains).
 */
final class Transformer {
    private final ModelConfig config;
    private final TransformerKernels kernels;
    private final int dim, hidden, seq, layers;
    /** Java's [D][S] working buffer for residual sums. */
    private final float[] sum;

    Transformer(ModelConfig config, TransformerKernels kernels) {
        this.config = config;
        this.kernels = kernels;
        this.dim = config.dim();
        this.hidden = config.hidden();
        this.seq = config.seq();
        this.layers = config.layers();
        this.sum = new float[dim * seq];
    }

    /**
     * Runs the model on {@code tokens[0 .. seq)} with the embedding tables of {@code weights} (the other
     * weights are the kernels' loaded ones) and returns the logits {@code [vocab][seq]}: the kernels'
     * buffer, valid until their next call.
     */
    float[] forward(ModelWeights weights, int[] tokens) {
        Embedding.forward(sum, tokens, weights.tokenEmbedding, weights.positionEmbedding, dim, seq);
        kernels.write(X, 0, sum);
        for (int l = 0; l < layers; l++) {
            kernels.attentionNorm(l);
            kernels.qkv(l);
            kernels.attention(l);
            kernels.outputProjection(l);
            add(sum, kernels.read(X, l), kernels.read(O, l));
            kernels.write(X2, l, sum);
            kernels.ffnNorm(l);
            kernels.ffn(l);
            add(sum, kernels.read(X2, l), kernels.read(F, l));
            kernels.write(X, l + 1, sum);
        }
        kernels.finalNorm();
        kernels.classifier();
        return kernels.read(LOGITS);
    }

    /**
     * Back-propagates {@code dlogits} (the loss gradient of the logits of the last {@link #forward}, which
     * must have run on the same {@code tokens}) and adds the gradient of every parameter to {@code grads}.
     */
    void backward(ModelWeights grads, int[] tokens, float[] dlogits) {
        kernels.write(DLOGITS, dlogits);
        kernels.classifierBackward();
        Linear.addWeightGradient(grads.classifier, kernels.read(DLOGITS), kernels.read(XF), config.vocab(), dim, seq);
        kernels.finalNormBackward();
        RmsNorm.addWeightGradient(grads.rmsFinal, kernels.read(DXF), kernels.read(X, layers), dim, seq);
        for (int l = layers - 1; l >= 0; l--) {
            LayerWeights g = grads.layers[l];

            kernels.ffnBackward(l);
            Linear.addWeightGradient(g.w2(), kernels.read(DX, l + 1), kernels.read(G, l), dim, hidden, seq);
            Linear.addWeightGradient(g.w1(), kernels.read(DH1, l), kernels.read(XN2, l), hidden, dim, seq);
            Linear.addWeightGradient(g.w3(), kernels.read(DH3, l), kernels.read(XN2, l), hidden, dim, seq);
            kernels.ffnNormBackward(l);
            RmsNorm.addWeightGradient(g.rmsFfn(), kernels.read(DXN2, l), kernels.read(X2, l), dim, seq);
            add(sum, kernels.read(DX2, l), kernels.read(DX, l + 1)); // the residual path around the ffn
            kernels.write(DX2, l, sum);

            kernels.outputProjectionBackward(l);
            Linear.addWeightGradient(g.wo(), kernels.read(DX2, l), kernels.read(A, l), dim, dim, seq);
            kernels.attentionBackward(l);
            kernels.qkvBackward(l);
            float[] xn = kernels.read(XN, l);
            Linear.addWeightGradient(g.wq(), kernels.read(DQ, l), xn, dim, dim, seq);
            Linear.addWeightGradient(g.wk(), kernels.read(DK, l), xn, dim, dim, seq);
            Linear.addWeightGradient(g.wv(), kernels.read(DV, l), xn, dim, dim, seq);
            kernels.attentionNormBackward(l);
            RmsNorm.addWeightGradient(g.rmsAttention(), kernels.read(DXN, l), kernels.read(X, l), dim, seq);
            add(sum, kernels.read(DX, l), kernels.read(DX2, l)); // the residual path around attention
            kernels.write(DX, l, sum);
        }
        Embedding.addGradient(grads.tokenEmbedding, grads.positionEmbedding, kernels.read(DX, 0), tokens, dim, seq);
    }

    private static void add(float[] out, float[] a, float[] b) {
        for (int i = 0; i < out.length; i++) out[i] = a[i] + b[i];
    }
}
