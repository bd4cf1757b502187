package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JavaKernelsTest {
    private static final ModelConfig CONFIG = new ModelConfig(5, 4, 8, 2, 3, 6, true);
    private final JavaKernels kernels = new JavaKernels(CONFIG);

    @Test
    void writeCopiesAndReadReturnsTheBuffer() {
        float[] values = new float[8 * 6];
        values[7] = 3;
        kernels.write(Activation.H1, 2, values);
        values[7] = 4;
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 3}, java.util.Arrays.copyOf(kernels.read(Activation.H1, 2), 8));
    }

    @Test
    void streamActivationsHaveOneSlotMoreThanLayers() {
        kernels.write(Activation.X, 3, new float[4 * 6]);
        assertThrows(IndexOutOfBoundsException.class, () -> kernels.read(Activation.X2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> kernels.read(Activation.LOGITS, 1));
    }

    @Test
    void aWrongLengthIsRefusedWithTheExpectedShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.write(Activation.LOGITS, new float[4 * 6]));
        assertTrue(e.getMessage().contains("LOGITS holds 5 × 6 = 30 floats, got 24"), e.getMessage());
    }

    @Test
    void opsUseTheLoadedCopyOfTheWeights() {
        ModelWeights weights = ModelWeights.initialized(CONFIG, new SplitMix64(2));
        kernels.loadWeights(weights);
        float[] x = GradientCheck.random(new SplitMix64(3), 4 * 6, 1);
        kernels.write(Activation.X, 0, x);
        kernels.attentionNorm(0);
        float[] before = kernels.read(Activation.XN, 0).clone();
        weights.layers[0].rmsAttention()[1] = 7; // not loaded: no effect
        kernels.attentionNorm(0);
        assertArrayEquals(before, kernels.read(Activation.XN, 0));
    }
}
