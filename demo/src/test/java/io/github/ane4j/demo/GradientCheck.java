package io.github.ane4j.demo;

import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks analytic gradients against central finite differences: nudges one input value by ±h, evaluates
 * the scalar objective, and compares (f(x+h) − f(x−h)) / 2h with the analytic derivative. The maths
 * under test is fp32, so h is large enough that fp32 rounding of the objective stays well below the
 * tolerance, and small enough that the central difference's O(h²) error does too.
 */
final class GradientCheck {
    static final double H = 1e-2;
    static final double ABSOLUTE = 2e-3, RELATIVE = 2e-2;

    private GradientCheck() {}

    /** Random values in [-scale, scale). */
    static float[] random(SplitMix64 random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        return v;
    }

    /** Σ r[i]·y[i] in double: a scalar objective whose gradient with respect to y is r. */
    static double dot(float[] r, float[] y) {
        double sum = 0;
        for (int i = 0; i < r.length; i++) sum += (double) r[i] * y[i];
        return sum;
    }

    /**
     * For every index of {@code input} (or {@code samples} random ones when it is larger), asserts that the
     * finite difference of {@code objective} matches {@code gradient[index]}. {@code objective} must read
     * {@code input} afresh on every call.
     */
    static void check(String name, float[] input, float[] gradient, DoubleSupplier objective, int samples, SplitMix64 random) {
        int count = Math.min(samples, input.length);
        for (int n = 0; n < count; n++) {
            int i = input.length <= samples ? n : random.nextInt(input.length);
            float saved = input[i];
            input[i] = (float) (saved + H);
            double plus = objective.getAsDouble();
            input[i] = (float) (saved - H);
            double minus = objective.getAsDouble();
            input[i] = saved;
            double numeric = (plus - minus) / (2 * H), analytic = gradient[i];
            double error = Math.abs(numeric - analytic);
            assertTrue(error <= ABSOLUTE + RELATIVE * Math.abs(numeric),
                    () -> String.format("d objective / d %s[%d]: analytic %.6f, finite difference %.6f", name, i, analytic, numeric));
        }
    }
}
