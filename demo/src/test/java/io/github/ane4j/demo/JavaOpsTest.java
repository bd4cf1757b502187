package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JavaOpsTest {
    private static final ModelConfig CONFIG = new ModelConfig(5, 4, 8, 2, 3, 6, true);
    private final JavaOps ops = new JavaOps(CONFIG);

    @Test
    void writeCopiesAndReadReturnsTheBuffer() {
        float[] values = new float[8 * 6];
        values[7] = 3;
        ops.write(Activation.H1, 2, values);
        values[7] = 4;
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 3}, java.util.Arrays.copyOf(ops.read(Activation.H1, 2), 8));
    }

    @Test
    void streamActivationsHaveOneSlotMoreThanLayers() {
        ops.write(Activation.X, 3, new float[4 * 6]);
        assertThrows(IndexOutOfBoundsException.class, () -> ops.read(Activation.X2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> ops.read(Activation.LOGITS, 1));
    }

    @Test
    void aWrongLengthIsRefusedWithTheExpectedShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.write(Activation.LOGITS, new float[4 * 6]));
        assertTrue(e.getMessage().contains("LOGITS holds 5 × 6 = 30 floats, got 24"), e.getMessage());
    }

    @Test
    void opsUseTheLoadedCopyOfTheWeights() {
        ModelWeights weights = ModelWeights.initialized(CONFIG, new SplitMix64(2));
        ops.loadWeights(weights);
        float[] x = GradientCheck.random(new SplitMix64(3), 4 * 6, 1);
        ops.write(Activation.X, 0, x);
        ops.attentionNorm(0);
        float[] before = ops.read(Activation.XN, 0).clone();
        weights.layers[0].rmsAttention()[1] = 7; // not loaded: no effect
        ops.attentionNorm(0);
        assertArrayEquals(before, ops.read(Activation.XN, 0));
    }
}
