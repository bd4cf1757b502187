package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.DType;
import io.github.ane4j.kernels.TransformerDims;
import io.github.ane4j.kernels.TransformerKernels;
import io.github.ane4j.mil.MilBuilder.WeightLayout;

/** The transformer workloads of the benchmarks, built from {@link TransformerKernels} as {@link Pipeline}s. */
final class Transformer {
    /** One layer of Stories110M (Llama 2 architecture, the seed's headline model). */
    static final TransformerDims STORIES110M = new TransformerDims(768, 2048, 12, 256, 32000);
    /** The demo's small two-layer model. */
    static final TransformerDims DEMO = new TransformerDims(64, 192, 4, 64, 96);
    static final int DEMO_LAYERS = 2;

    private Transformer() {}

    /** One layer's forward pass on tensor {@code x}, leaving its output in {@code out}. */
    static Pipeline layerForward(Ane ane, TransformerDims dims, WeightLayout layout) {
        Pipeline p = new Pipeline(ane, new TransformerKernels(dims, DType.FP16, layout));
        forward(p, "l0.", "x", "out");
        return p;
    }

    /**
     * One training step of a {@code layers}-layer model without the embedding and the weight gradients: the
     * forward pass, the final RMSNorm and classifier, the loss gradient, and every activation gradient back to
     * the first layer's input ({@code dx}); {@link Pipeline#writeWeights()} then writes every weight once into
     * each kernel that reads it, as a step with updated weights does.
     */
    static Pipeline trainingStep(Ane ane, TransformerDims dims, int layers, WeightLayout layout) {
        Pipeline p = new Pipeline(ane, new TransformerKernels(dims, DType.FP16, layout));
        for (int l = 0; l < layers; l++) forward(p, "l" + l + ".", "l" + l + ".x", "l" + (l + 1) + ".x");
        String top = "l" + layers + ".";
        p.eval("rmsNorm", "x", top + "x", "w", "rms_final", "y", "xf");
        p.eval("classifier", "x", "xf", "w", "wcls", "y", "logits");
        p.crossEntropyGradient("logits", "dlogits", dims.vocab(), dims.seq());
        p.eval("classifierBackward", "dy", "dlogits", "w", "wcls", "dx", "dxf");
        p.eval("rmsNormBackward", "dy", "dxf", "x", top + "x", "w", "rms_final", "dx", top + "dx");
        for (int l = layers - 1; l >= 0; l--) backward(p, "l" + l + ".", "l" + (l + 1) + ".dx", "l" + l + ".dx");
        return p;
    }

    /** x → out through attention and the feed-forward layer, tensors named with {@code l} as prefix. */
    private static void forward(Pipeline p, String l, String x, String out) {
        p.eval("rmsNorm", "x", x, "w", l + "rms1", "y", l + "xn1");
        p.eval("qkv", "xn", l + "xn1", "wq", l + "wq", "wk", l + "wk", "wv", l + "wv", "q", l + "q", "k", l + "k", "v", l + "v");
        p.eval("attention", "q", l + "q", "k", l + "k", "v", l + "v", "a", l + "a");
        p.eval("outputProjection", "x", l + "a", "w", l + "wo", "y", l + "o");
        p.add(x, l + "o", l + "x2");
        p.eval("rmsNorm", "x", l + "x2", "w", l + "rms2", "y", l + "xn2");
        p.eval("ffn", "xn", l + "xn2", "w1", l + "w1", "w3", l + "w3", "w2", l + "w2", "f", l + "f", "h1", l + "h1", "h3", l + "h3");
        p.add(l + "x2", l + "f", out);
    }

    /** dout (gradient at the layer's output) → dx (at its input), recomputing nothing the forward kept. */
    private static void backward(Pipeline p, String l, String dout, String dx) {
        String x = l + "x";
        p.eval("ffnBackward", "df", dout, "h1", l + "h1", "h3", l + "h3", "w1", l + "w1", "w3", l + "w3", "w2", l + "w2",
                "dxn", l + "dxn2", "dh1", l + "dh1", "dh3", l + "dh3");
        p.eval("rmsNormBackward", "dy", l + "dxn2", "x", l + "x2", "w", l + "rms2", "dx", l + "dx2n");
        p.add(dout, l + "dx2n", l + "dx2");
        p.eval("outputProjectionBackward", "dy", l + "dx2", "w", l + "wo", "dx", l + "da");
        p.eval("attentionBackward1", "q", l + "q", "k", l + "k", "v", l + "v", "da", l + "da", "dv", l + "dv", "p", l + "p", "dp", l + "dp");
        p.eval("attentionBackward2", "p", l + "p", "dp", l + "dp", "q", l + "q", "k", l + "k", "dq", l + "dq", "dk", l + "dk");
        p.eval("qkvBackward", "dq", l + "dq", "dk", l + "dk", "dv", l + "dv", "wq", l + "wq", "wk", l + "wk", "wv", l + "wv", "dxn", l + "dxn1");
        p.eval("rmsNormBackward", "dy", l + "dxn1", "x", x, "w", l + "rms1", "dx", l + "dx1n");
        p.add(l + "dx2", l + "dx1n", dx);
    }
}
