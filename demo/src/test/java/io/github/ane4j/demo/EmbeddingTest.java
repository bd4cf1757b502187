package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EmbeddingTest {
    private static final int VOCAB = 5, DIM = 3, SEQ = 4;
    private final SplitMix64 random = new SplitMix64(23);
    private final float[] tokens = GradientCheck.random(random, VOCAB * DIM, 1), positions = GradientCheck.random(random, SEQ * DIM, 1);
    private final int[] window = {4, 1, 4, 0};

    @Test
    void inputIsTheTokenRowPlusThePositionRowChannelFirst() {
        float[] x = new float[DIM * SEQ];
        Embedding.forward(x, window, tokens, positions, DIM, SEQ);
        for (int t = 0; t < SEQ; t++) {
            for (int c = 0; c < DIM; c++) assertEquals(tokens[window[t] * DIM + c] + positions[t * DIM + c], x[c * SEQ + t]);
        }
    }

    @Test
    void gradientsOfBothTablesMatchFiniteDifferences() {
        float[] r = GradientCheck.random(random, DIM * SEQ, 1), x = new float[DIM * SEQ];
        float[] dTokens = new float[VOCAB * DIM], dPositions = new float[SEQ * DIM];
        Embedding.addGradient(dTokens, dPositions, r, window, DIM, SEQ);
        java.util.function.DoubleSupplier objective = () -> {
            Embedding.forward(x, window, tokens, positions, DIM, SEQ);
            return GradientCheck.dot(r, x);
        };
        GradientCheck.check("token embedding", tokens, dTokens, objective, 1000, random);
        GradientCheck.check("position embedding", positions, dPositions, objective, 1000, random);
    }
}
