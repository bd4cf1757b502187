package io.github.ane4j.demo;

import java.util.Arrays;

import static io.github.ane4j.demo.Activation.*;

/**
 * {@link TransformerOps} in plain Java, in fp32: the demo's implementation until the bridge kernels
 * run the ops, and the oracle a kernel-backed implementation is checked against. Buffers are float arrays;
 * attention keeps its probabilities per layer for the backward pass.
 */
final class JavaOps implements TransformerOps {
    private final ModelConfig config;
    private final int dim, hidden, seq, layers;
    private final ModelWeights weights;
    /** [activation][slot]. */
    private final float[][][] buffers;
    /** [layer]: attention probabilities [heads][seq][seq]. */
    private final float[][] probabilities;
    /** The feed-forward layer's gate silu(h1)·h3 and its gradient, [H][S]. */
    private final float[] gate, gateGradient;

    JavaOps(ModelConfig config) {
        this.config = config;
        this.dim = config.dim();
        this.hidden = config.hidden();
        this.seq = config.seq();
        this.layers = config.layers();
        this.weights = ModelWeights.zeros(config);
        Activation[] all = Activation.values();
        this.buffers = new float[all.length][][];
        for (Activation a : all) buffers[a.ordinal()] = new float[a.slots(config)][a.length(config)];
        this.probabilities = new float[layers][config.heads() * seq * seq];
        this.gate = new float[hidden * seq];
        this.gateGradient = new float[hidden * seq];
    }

    @Override
    public String description() { return "pure Java (fp32)"; }

    @Override
    public void loadWeights(ModelWeights source) { weights.copyFrom(source); }

    @Override
    public float[] read(Activation a, int slot) { return buffer(a, slot); }

    @Override
    public void write(Activation a, int slot, float[] values) {
        float[] target = buffer(a, slot);
        if (values.length != target.length) {
            throw new IllegalArgumentException(a + " holds " + a.channels(config) + " × " + seq + " = " + target.length
                    + " floats, got " + values.length);
        }
        System.arraycopy(values, 0, target, 0, values.length);
    }

    @Override
    public void attentionNorm(int l) {
        RmsNorm.forward(buffer(XN, l), buffer(X, l), layer(l).rmsAttention(), dim, seq);
    }

    @Override
    public void qkv(int l) {
        LayerWeights w = layer(l);
        float[] xn = buffer(XN, l);
        Linear.forward(buffer(Q, l), w.wq(), xn, dim, dim, seq);
        Linear.forward(buffer(K, l), w.wk(), xn, dim, dim, seq);
        Linear.forward(buffer(V, l), w.wv(), xn, dim, dim, seq);
    }

    @Override
    public void attention(int l) {
        CausalAttention.forward(buffer(A, l), probabilities[l], buffer(Q, l), buffer(K, l), buffer(V, l),
                config.heads(), config.headDim(), seq);
    }

    @Override
    public void outputProjection(int l) {
        Linear.forward(buffer(O, l), layer(l).wo(), buffer(A, l), dim, dim, seq);
    }

    @Override
    public void ffnNorm(int l) {
        RmsNorm.forward(buffer(XN2, l), buffer(X2, l), layer(l).rmsFfn(), dim, seq);
    }

    @Override
    public void ffn(int l) {
        LayerWeights w = layer(l);
        float[] xn2 = buffer(XN2, l), h1 = buffer(H1, l), h3 = buffer(H3, l);
        Linear.forward(h1, w.w1(), xn2, hidden, dim, seq);
        Linear.forward(h3, w.w3(), xn2, hidden, dim, seq);
        SwiGlu.forward(gate, h1, h3, hidden * seq);
        Linear.forward(buffer(F, l), w.w2(), gate, dim, hidden, seq);
    }

    @Override
    public void finalNorm() {
        RmsNorm.forward(buffer(XF, 0), buffer(X, layers), weights.rmsFinal, dim, seq);
    }

    @Override
    public void classifier() {
        Linear.forward(buffer(LOGITS, 0), weights.classifier, buffer(XF, 0), config.vocab(), dim, seq);
    }

    @Override
    public void classifierBackward() {
        float[] dxf = cleared(DXF, 0);
        Linear.addInputGradient(dxf, weights.classifier, buffer(DLOGITS, 0), config.vocab(), dim, seq);
    }

    @Override
    public void finalNormBackward() {
        RmsNorm.backward(buffer(DX, layers), buffer(DXF, 0), buffer(X, layers), weights.rmsFinal, dim, seq);
    }

    @Override
    public void ffnBackward(int l) {
        LayerWeights w = layer(l);
        Arrays.fill(gateGradient, 0f);
        Linear.addInputGradient(gateGradient, w.w2(), buffer(DX, l + 1), dim, hidden, seq);
        float[] dh1 = buffer(DH1, l), dh3 = buffer(DH3, l);
        SwiGlu.backward(dh1, dh3, gateGradient, buffer(H1, l), buffer(H3, l), hidden * seq);
        float[] dxn2 = cleared(DXN2, l);
        Linear.addInputGradient(dxn2, w.w1(), dh1, hidden, dim, seq);
        Linear.addInputGradient(dxn2, w.w3(), dh3, hidden, dim, seq);
    }

    @Override
    public void ffnNormBackward(int l) {
        RmsNorm.backward(buffer(DX2, l), buffer(DXN2, l), buffer(X2, l), layer(l).rmsFfn(), dim, seq);
    }

    @Override
    public void outputProjectionBackward(int l) {
        Linear.addInputGradient(cleared(DA, l), layer(l).wo(), buffer(DX2, l), dim, dim, seq);
    }

    @Override
    public void attentionBackward(int l) {
        CausalAttention.backward(buffer(DQ, l), buffer(DK, l), buffer(DV, l), buffer(DA, l), probabilities[l],
                buffer(Q, l), buffer(K, l), buffer(V, l), config.heads(), config.headDim(), seq);
    }

    @Override
    public void qkvBackward(int l) {
        LayerWeights w = layer(l);
        float[] dxn = cleared(DXN, l);
        Linear.addInputGradient(dxn, w.wq(), buffer(DQ, l), dim, dim, seq);
        Linear.addInputGradient(dxn, w.wk(), buffer(DK, l), dim, dim, seq);
        Linear.addInputGradient(dxn, w.wv(), buffer(DV, l), dim, dim, seq);
    }

    @Override
    public void attentionNormBackward(int l) {
        RmsNorm.backward(buffer(DX, l), buffer(DXN, l), buffer(X, l), layer(l).rmsAttention(), dim, seq);
    }

    @Override
    public void close() {}

    private LayerWeights layer(int l) {
        if (l < 0 || l >= layers) throw new IndexOutOfBoundsException("layer " + l + " is outside 0 … " + (layers - 1));
        return weights.layers[l];
    }

    private float[] buffer(Activation a, int slot) {
        float[][] slots = buffers[a.ordinal()];
        if (slot < 0 || slot >= slots.length) {
            throw new IndexOutOfBoundsException(a + " has slots 0 … " + (slots.length - 1) + ", not " + slot);
        }
        return slots[slot];
    }

    private float[] cleared(Activation a, int slot) {
        float[] values = buffer(a, slot);
        Arrays.fill(values, 0f);
        return values;
    }
}
