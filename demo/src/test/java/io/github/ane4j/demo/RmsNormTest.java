package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RmsNormTest {
    private static final int C = 6, SEQ = 5;
    private final SplitMix64 random = new SplitMix64(11);
    private final float[] x = GradientCheck.random(random, C * SEQ, 2), w = GradientCheck.random(random, C, 1.5);
    private final float[] r = GradientCheck.random(random, C * SEQ, 1), y = new float[C * SEQ];

    @Test
    void forwardDividesEachPositionByTheRootMeanSquareOfItsChannels() {
        RmsNorm.forward(y, x, w, C, SEQ);
        for (int t = 0; t < SEQ; t++) {
            double squares = 0;
            for (int c = 0; c < C; c++) squares += (double) x[c * SEQ + t] * x[c * SEQ + t];
            double rms = Math.sqrt(squares / C + ModelConfig.NORM_EPS);
            for (int c = 0; c < C; c++) assertEquals(x[c * SEQ + t] / rms * w[c], y[c * SEQ + t], 1e-5);
        }
    }

    @Test
    void inputGradientMatchesFiniteDifferences() {
        float[] dx = new float[C * SEQ];
        RmsNorm.backward(dx, r, x, w, C, SEQ);
        GradientCheck.check("x", x, dx, this::objective, 1000, random);
    }

    @Test
    void gainGradientMatchesFiniteDifferencesAndAddsToWhatIsThere() {
        float[] dw = new float[C];
        java.util.Arrays.fill(dw, 1f);
        RmsNorm.addWeightGradient(dw, r, x, C, SEQ);
        for (int c = 0; c < C; c++) dw[c] -= 1f;
        GradientCheck.check("w", w, dw, this::objective, 1000, random);
    }

    private double objective() {
        RmsNorm.forward(y, x, w, C, SEQ);
        return GradientCheck.dot(r, y);
    }
}
