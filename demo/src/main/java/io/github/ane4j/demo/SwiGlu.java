package io.github.ane4j.demo;

/**
 * The SwiGLU gate, element-wise: {@code g = silu(h1)·h3} with {@code silu(a) = a·σ(a)}.
 */
final class SwiGlu {
    private SwiGlu() {}

    /** {@code g[i] = silu(h1[i])·h3[i]} for the first {@code n} elements. Overwrites {@code g}. */
    static void forward(float[] g, float[] h1, float[] h3, int n) {
        for (int i = 0; i < n; i++) g[i] = h1[i] * sigmoid(h1[i]) * h3[i];
    }

    /**
     * The gradients with respect to h1 and h3, given {@code dg}: {@code dh1 = dg·h3·σ(h1)·(1 + h1·(1 − σ(h1)))},
     * {@code dh3 = dg·silu(h1)}. Overwrites {@code dh1} and {@code dh3}.
     */
    static void backward(float[] dh1, float[] dh3, float[] dg, float[] h1, float[] h3, int n) {
        for (int i = 0; i < n; i++) {
            float s = sigmoid(h1[i]);
            dh1[i] = dg[i] * h3[i] * s * (1f + h1[i] * (1f - s));
            dh3[i] = dg[i] * h1[i] * s;
        }
    }

    private static float sigmoid(float a) { return (float) (1.0 / (1.0 + Math.exp(-a))); }
}
