package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CrossEntropyTest {
    private static final int VOCAB = 9, SEQ = 4;
    private final SplitMix64 random = new SplitMix64(19);
    private final int[] targets = {3, 0, 8, 3};

    @Test
    void equalLogitsCostLnVocabPerPosition() {
        float[] logits = new float[VOCAB * SEQ];
        java.util.Arrays.fill(logits, 2.5f);
        assertEquals(Math.log(VOCAB), CrossEntropy.loss(logits, targets, VOCAB, SEQ, null, 0), 1e-6);
    }

    @Test
    void lossIsTheMeanNegativeLogProbabilityOfTheTargets() {
        float[] logits = GradientCheck.random(random, VOCAB * SEQ, 3);
        double expected = 0;
        for (int t = 0; t < SEQ; t++) {
            double sum = 0;
            for (int v = 0; v < VOCAB; v++) sum += Math.exp(logits[v * SEQ + t]);
            expected -= Math.log(Math.exp(logits[targets[t] * SEQ + t]) / sum);
        }
        assertEquals(expected / SEQ, CrossEntropy.loss(logits, targets, VOCAB, SEQ, null, 0), 1e-6);
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheScaledSum() {
        float[] logits = GradientCheck.random(random, VOCAB * SEQ, 3), dlogits = new float[VOCAB * SEQ];
        float scale = 0.25f;
        CrossEntropy.loss(logits, targets, VOCAB, SEQ, dlogits, scale);
        GradientCheck.check("logits", logits, dlogits,
                () -> CrossEntropy.loss(logits, targets, VOCAB, SEQ, null, 0) * SEQ * scale, 1000, random);
    }
}
