package io.github.ane4j.demo;

/**
 * The transformer's sizes.
 *
 * @param vocab          number of distinct characters (derived from the corpus)
 * @param dim            channels of the residual stream (D)
 * @param hidden         channels of the SwiGLU feed-forward layer (H)
 * @param heads          attention heads; each sees {@code dim / heads} channels
 * @param layers         transformer blocks (L)
 * @param seq            positions per window (S), also the number of learned position embeddings
 * @param tiedClassifier whether the classifier reuses the token embedding matrix
 */
record ModelConfig(int vocab, int dim, int hidden, int heads, int layers, int seq, boolean tiedClassifier) {
    /** RMSNorm's epsilon, added to the mean square before the square root. */
    static final float NORM_EPS = 1e-5f;

    ModelConfig {
        positive("vocab", vocab);
        positive("dim", dim);
        positive("hidden", hidden);
        positive("heads", heads);
        positive("layers", layers);
        positive("seq", seq);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
        }
    }

    /** Channels per attention head. */
    int headDim() { return dim / heads; }

    /** Number of trained parameters (the tied classifier counted once). */
    long parameterCount() {
        long perLayer = 2L * dim + 4L * dim * dim + 3L * dim * hidden;
        return (long) vocab * dim + (long) seq * dim + layers * perLayer + dim + (tiedClassifier ? 0 : (long) vocab * dim);
    }

    private static void positive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
}
