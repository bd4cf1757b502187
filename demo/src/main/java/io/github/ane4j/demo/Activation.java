package io.github.ane4j.demo;

/**
 * The named activation buffers of one forward and backward pass over a window, as
 * {@link TransformerOps} reads and writes them. Each is channel-first {@code float[channels·seq]}:
 * element (c, t) at {@code c·seq + t}, the memory layout of a MIL tensor {@code [1, channels, 1, seq]}.
 *
 * <p>Slots: a {@link Scope#LAYER} activation has one buffer per layer (0 … L−1), a {@link Scope#STREAM}
 * activation one per layer boundary (0 … L: slot l enters layer l, slot L leaves the last layer), a
 * {@link Scope#HEAD} activation one (slot 0). The comment of each constant gives its maths in the
 * notation of the package documentation.
 */
enum Activation {
    /** x: the residual stream entering layer l (slot L: leaving the last layer). [D] */
    X(Size.DIM, Scope.STREAM),
    /** xn = rmsnorm(x)·rms_attention. [D] */
    XN(Size.DIM, Scope.LAYER),
    /** q = wq·xn. [D] */
    Q(Size.DIM, Scope.LAYER),
    /** k = wk·xn. [D] */
    K(Size.DIM, Scope.LAYER),
    /** v = wv·xn. [D] */
    V(Size.DIM, Scope.LAYER),
    /** a = causal attention of q, k, v, heads concatenated along the channels. [D] */
    A(Size.DIM, Scope.LAYER),
    /** o = wo·a. [D] */
    O(Size.DIM, Scope.LAYER),
    /** x2 = x + o (computed in Java). [D] */
    X2(Size.DIM, Scope.LAYER),
    /** xn2 = rmsnorm(x2)·rms_ffn. [D] */
    XN2(Size.DIM, Scope.LAYER),
    /** h1 = w1·xn2. [H] */
    H1(Size.HIDDEN, Scope.LAYER),
    /** h3 = w3·xn2. [H] */
    H3(Size.HIDDEN, Scope.LAYER),
    /** f = w2·(silu(h1)·h3); the next layer's x is x2 + f (computed in Java). [D] */
    F(Size.DIM, Scope.LAYER),
    /** xf = rmsnorm(x_L)·rms_final. [D] */
    XF(Size.DIM, Scope.HEAD),
    /** logits = classifier·xf. [V] */
    LOGITS(Size.VOCAB, Scope.HEAD),

    /** ∂loss/∂logits (written by Java from the loss). [V] */
    DLOGITS(Size.VOCAB, Scope.HEAD),
    /** ∂loss/∂xf = classifierᵀ·dlogits. [D] */
    DXF(Size.DIM, Scope.HEAD),
    /** ∂loss/∂x of the stream. The backward norm ops write their own term into it; Java then adds the
     *  residual path (slot L: only the final norm's term). [D] */
    DX(Size.DIM, Scope.STREAM),
    /** ∂loss/∂h1. [H] */
    DH1(Size.HIDDEN, Scope.LAYER),
    /** ∂loss/∂h3. [H] */
    DH3(Size.HIDDEN, Scope.LAYER),
    /** ∂loss/∂xn2 = w1ᵀ·dh1 + w3ᵀ·dh3. [D] */
    DXN2(Size.DIM, Scope.LAYER),
    /** ∂loss/∂x2: the ffn norm's term, then Java adds the residual path dx_{l+1}. [D] */
    DX2(Size.DIM, Scope.LAYER),
    /** ∂loss/∂a = woᵀ·dx2. [D] */
    DA(Size.DIM, Scope.LAYER),
    /** ∂loss/∂q. [D] */
    DQ(Size.DIM, Scope.LAYER),
    /** ∂loss/∂k. [D] */
    DK(Size.DIM, Scope.LAYER),
    /** ∂loss/∂v. [D] */
    DV(Size.DIM, Scope.LAYER),
    /** ∂loss/∂xn = wqᵀ·dq + wkᵀ·dk + wvᵀ·dv. [D] */
    DXN(Size.DIM, Scope.LAYER);

    /** Which model size gives the channel count. */
    enum Size { DIM, HIDDEN, VOCAB }

    /** How many buffers an activation has, see the class documentation. */
    enum Scope { LAYER, STREAM, HEAD }

    private final Size size;
    private final Scope scope;

    Activation(Size size, Scope scope) {
        this.size = size;
        this.scope = scope;
    }

    Scope scope() { return scope; }

    /** Channels (C of {@code [C][seq]}). */
    int channels(ModelConfig config) {
        return switch (size) {
            case DIM -> config.dim();
            case HIDDEN -> config.hidden();
            case VOCAB -> config.vocab();
        };
    }

    /** Floats in one buffer: channels × seq. */
    int length(ModelConfig config) { return channels(config) * config.seq(); }

    /** Number of buffers (layer slots). */
    int slots(ModelConfig config) {
        return switch (scope) {
            case LAYER -> config.layers();
            case STREAM -> config.layers() + 1;
            case HEAD -> 1;
        };
    }
}
