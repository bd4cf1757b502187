package io.github.ane4j.kernels;

/**
 * The maths of the transformer kernels in plain double precision, written from the formulas (not from the
 * MIL): the independent answer the kernels are checked against. Activations are [C][S] channel-first
 * ({@code x[c * S + t]}), matrices row-major [out][in].
 */
final class KernelMaths {
    private KernelMaths() {}

    /** W·x for W [out][in], x [in][s]. */
    static double[] project(double[] w, double[] x, int out, int in, int s) {
        double[] y = new double[out * s];
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < s; t++) {
                double sum = 0;
                for (int i = 0; i < in; i++) sum += w[o * in + i] * x[i * s + t];
                y[o * s + t] = sum;
            }
        }
        return y;
    }

    /** Wᵀ·dy for W [out][in], dy [out][s]: [in][s]. */
    static double[] projectBack(double[] w, double[] dy, int out, int in, int s) {
        double[] dx = new double[in * s];
        for (int i = 0; i < in; i++) {
            for (int t = 0; t < s; t++) {
                double sum = 0;
                for (int o = 0; o < out; o++) sum += w[o * in + i] * dy[o * s + t];
                dx[i * s + t] = sum;
            }
        }
        return dx;
    }

    /** 1/sqrt(mean_c x² + eps) per position. */
    static double[] inverseRms(double[] x, int d, int s) {
        double[] r = new double[s];
        for (int t = 0; t < s; t++) {
            double ss = 0;
            for (int c = 0; c < d; c++) ss += x[c * s + t] * x[c * s + t];
            r[t] = 1 / Math.sqrt(ss / d + TransformerKernels.RMS_EPSILON);
        }
        return r;
    }

    static double[] rmsNorm(double[] x, double[] w, int d, int s) {
        double[] r = inverseRms(x, d, s), y = new double[d * s];
        for (int c = 0; c < d; c++) for (int t = 0; t < s; t++) y[c * s + t] = x[c * s + t] * r[t] * w[c];
        return y;
    }

    /** d/dx of Σ dy ⊙ rmsNorm(x): r·g − x·r³·mean_c(g·x), g = dy·w. */
    static double[] rmsNormBackward(double[] dy, double[] x, double[] w, int d, int s) {
        double[] r = inverseRms(x, d, s), dx = new double[d * s];
        for (int t = 0; t < s; t++) {
            double gx = 0;
            for (int c = 0; c < d; c++) gx += dy[c * s + t] * w[c] * x[c * s + t];
            gx /= d;
            for (int c = 0; c < d; c++) {
                dx[c * s + t] = r[t] * dy[c * s + t] * w[c] - x[c * s + t] * r[t] * r[t] * r[t] * gx;
            }
        }
        return dx;
    }

    /** Causal attention probabilities per head: p[h][t][u]. */
    static double[][][] probabilities(double[] q, double[] k, TransformerDims dims) {
        int heads = dims.heads(), hd = dims.headDim(), s = dims.seq();
        double[][][] p = new double[heads][s][s];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < s; t++) {
                double max = Double.NEGATIVE_INFINITY;
                double[] row = p[h][t];
                for (int u = 0; u <= t; u++) {
                    double dot = 0;
                    for (int j = 0; j < hd; j++) dot += q[(h * hd + j) * s + t] * k[(h * hd + j) * s + u];
                    row[u] = dot / Math.sqrt(hd);
                    max = Math.max(max, row[u]);
                }
                double sum = 0;
                for (int u = 0; u <= t; u++) sum += row[u] = Math.exp(row[u] - max);
                for (int u = 0; u <= t; u++) row[u] /= sum;
            }
        }
        return p;
    }

    static double[] attention(double[] q, double[] k, double[] v, TransformerDims dims) {
        int hd = dims.headDim(), s = dims.seq();
        double[][][] p = probabilities(q, k, dims);
        double[] a = new double[dims.dim() * s];
        for (int h = 0; h < dims.heads(); h++) {
            for (int t = 0; t < s; t++) {
                for (int j = 0; j < hd; j++) {
                    double sum = 0;
                    for (int u = 0; u < s; u++) sum += p[h][t][u] * v[(h * hd + j) * s + u];
                    a[(h * hd + j) * s + t] = sum;
                }
            }
        }
        return a;
    }

    /** Gradients of Σ da ⊙ attention(q, k, v): {dq, dk, dv}, and p and dp = da·vᵀ per head flattened [h][t][u]. */
    static double[][] attentionBackward(double[] q, double[] k, double[] v, double[] da, TransformerDims dims) {
        int heads = dims.heads(), hd = dims.headDim(), s = dims.seq(), n = dims.dim() * s;
        double[][][] p = probabilities(q, k, dims);
        double[] dq = new double[n], dk = new double[n], dv = new double[n];
        double[] pFlat = new double[heads * s * s], dpFlat = new double[heads * s * s];
        for (int h = 0; h < heads; h++) {
            double[][] dp = new double[s][s];
            for (int t = 0; t < s; t++) {
                for (int u = 0; u < s; u++) {
                    double sum = 0;
                    for (int j = 0; j < hd; j++) sum += da[(h * hd + j) * s + t] * v[(h * hd + j) * s + u];
                    dp[t][u] = sum;
                    pFlat[(h * s + t) * s + u] = p[h][t][u];
                    dpFlat[(h * s + t) * s + u] = sum;
                }
            }
            for (int u = 0; u < s; u++) {
                for (int j = 0; j < hd; j++) {
                    double sum = 0;
                    for (int t = 0; t < s; t++) sum += p[h][t][u] * da[(h * hd + j) * s + t];
                    dv[(h * hd + j) * s + u] = sum;
                }
            }
            double[][] ds = new double[s][s];
            for (int t = 0; t < s; t++) {
                double rowSum = 0;
                for (int u = 0; u < s; u++) rowSum += p[h][t][u] * dp[t][u];
                for (int u = 0; u < s; u++) ds[t][u] = p[h][t][u] * (dp[t][u] - rowSum) / Math.sqrt(hd);
            }
            for (int t = 0; t < s; t++) {
                for (int j = 0; j < hd; j++) {
                    double sq = 0, sk = 0;
                    for (int u = 0; u < s; u++) {
                        sq += ds[t][u] * k[(h * hd + j) * s + u];
                        sk += ds[u][t] * q[(h * hd + j) * s + u];
                    }
                    dq[(h * hd + j) * s + t] = sq;
                    dk[(h * hd + j) * s + t] = sk;
                }
            }
        }
        return new double[][] {dq, dk, dv, pFlat, dpFlat};
    }

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /** {f, h1, h3} of the SwiGLU layer. */
    static double[][] ffn(double[] xn, double[] w1, double[] w3, double[] w2, int d, int hidden, int s) {
        double[] h1 = project(w1, xn, hidden, d, s), h3 = project(w3, xn, hidden, d, s), g = new double[hidden * s];
        for (int i = 0; i < g.length; i++) g[i] = h1[i] * sigmoid(h1[i]) * h3[i];
        return new double[][] {project(w2, g, d, hidden, s), h1, h3};
    }

    /** {dxn, dh1, dh3} of Σ df ⊙ ffn(xn). */
    static double[][] ffnBackward(double[] df, double[] h1, double[] h3, double[] w1, double[] w3, double[] w2, int d, int hidden, int s) {
        double[] dg = projectBack(w2, df, d, hidden, s), dh1 = new double[hidden * s], dh3 = new double[hidden * s];
        for (int i = 0; i < dg.length; i++) {
            double sig = sigmoid(h1[i]);
            dh3[i] = dg[i] * h1[i] * sig;
            dh1[i] = dg[i] * h3[i] * sig * (1 + h1[i] * (1 - sig));
        }
        double[] a = projectBack(w1, dh1, hidden, d, s), b = projectBack(w3, dh3, hidden, d, s);
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return new double[][] {a, dh1, dh3};
    }
}
