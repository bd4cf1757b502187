package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GradientClippingTest {
    private static final ModelConfig CONFIG = new ModelConfig(2, 2, 2, 1, 1, 2, true);

    /** Gradient 3 in one tensor and 4 in another: global norm 5. */
    private static ModelWeights threeFour() {
        ModelWeights grads = ModelWeights.zeros(CONFIG);
        grads.tokenEmbedding[1] = 3;
        grads.rmsFinal[0] = -4;
        return grads;
    }

    @Test
    void aNormAboveTheLimitIsScaledDownToIt() {
        ModelWeights grads = threeFour();
        assertEquals(5, GradientClipping.clip(grads, 2.5), 1e-12);
        assertEquals(1.5f, grads.tokenEmbedding[1], 1e-6f);
        assertEquals(-2f, grads.rmsFinal[0], 1e-6f);
    }

    @Test
    void aNormWithinTheLimitIsLeftAlone() {
        ModelWeights grads = threeFour();
        assertEquals(5, GradientClipping.clip(grads, 5.5), 1e-12);
        assertArrayEquals(threeFour().tokenEmbedding, grads.tokenEmbedding);
    }

    @Test
    void limitZeroMeansNoClipping() {
        ModelWeights grads = threeFour();
        GradientClipping.clip(grads, 0);
        assertArrayEquals(threeFour().rmsFinal, grads.rmsFinal);
    }
}
