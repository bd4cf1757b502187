package io.github.ane4j.demo;

/**
 * The model's input: {@code x[c][t] = tokenEmbedding[token_t][c] + positionEmbedding[t][c]}, channel-first
 * {@code [dim][seq]} from row-major {@code [vocab][dim]} and {@code [seq][dim]} tables.
 */
final class Embedding {
    private Embedding() {}

    /** Fills {@code x} for the window {@code tokens[0 .. seq)}. Overwrites {@code x}. */
    static void forward(float[] x, int[] tokens, float[] tokenEmbedding, float[] positionEmbedding, int dim, int seq) {
        for (int t = 0; t < seq; t++) {
            int token = tokens[t] * dim, position = t * dim;
            for (int c = 0; c < dim; c++) x[c * seq + t] = tokenEmbedding[token + c] + positionEmbedding[position + c];
        }
    }

    /** Adds {@code dx} to the rows of both tables that {@link #forward} read. */
    static void addGradient(float[] dTokenEmbedding, float[] dPositionEmbedding, float[] dx, int[] tokens, int dim, int seq) {
        for (int t = 0; t < seq; t++) {
            int token = tokens[t] * dim, position = t * dim;
            for (int c = 0; c < dim; c++) {
                dTokenEmbedding[token + c] += dx[c * seq + t];
                dPositionEmbedding[position + c] += dx[c * seq + t];
            }
        }
    }
}
