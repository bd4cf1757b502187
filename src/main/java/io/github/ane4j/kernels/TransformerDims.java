package io.github.ane4j.kernels;

/**
 * The sizes of a Llama-style transformer as its training kernels see them.
 *
 * @param dim    model width D (channels of every activation)
 * @param hidden width H of the SwiGLU feed-forward layer
 * @param heads  attention heads; {@code dim} must divide evenly into them
 * @param seq    sequence length S (positions per eval)
 * @param vocab  vocabulary size V (rows of the classifier)
 */
public record TransformerDims(int dim, int hidden, int heads, int seq, int vocab) {
    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException when a size is not positive or heads do not divide dim
     */
    public TransformerDims {
        if (dim < 1 || hidden < 1 || heads < 1 || seq < 1 || vocab < 1) {
            throw new IllegalArgumentException("every size must be positive: " + this);
        }
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
    }

    /**
     * Width of one attention head.
     *
     * @return {@code dim / heads}
     */
    public int headDim() { return dim / heads; }
}
