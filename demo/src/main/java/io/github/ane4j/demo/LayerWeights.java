package io.github.ane4j.demo;

/**
 * One transformer block's parameters. Matrices are row-major {@code [out][in]}: {@code W·x} is
 * {@code y[o][t] = Σ_i W[o][i]·x[i][t]}.
 *
 * @param rmsAttention RMSNorm gain before attention, [D]
 * @param wq           query projection, [D][D]
 * @param wk           key projection, [D][D]
 * @param wv           value projection, [D][D]
 * @param wo           attention output projection, [D][D]
 * @param rmsFfn       RMSNorm gain before the feed-forward layer, [D]
 * @param w1           gate projection, [H][D]
 * @param w3           up projection, [H][D]
 * @param w2           down projection, [D][H]
 */
record LayerWeights(float[] rmsAttention, float[] wq, float[] wk, float[] wv, float[] wo,
                    float[] rmsFfn, float[] w1, float[] w3, float[] w2) {
}
