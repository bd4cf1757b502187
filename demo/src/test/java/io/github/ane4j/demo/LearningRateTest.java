package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LearningRateTest {
    private final LearningRate cosine = new LearningRate(1.0, 0.1, 10, 110, true);

    @Test
    void warmUpRisesLinearlyToThePeak() {
        assertEquals(0.1, cosine.at(1), 1e-12);
        assertEquals(0.5, cosine.at(5), 1e-12);
        assertEquals(1.0, cosine.at(10), 1e-12);
    }

    @Test
    void cosineFallsFromThePeakThroughTheMidpointToTheMinimum() {
        assertEquals(0.55, cosine.at(60), 1e-12);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cosine.at(35), 1e-12);
        assertEquals(0.1, cosine.at(110), 1e-12);
        assertEquals(0.1, cosine.at(500), 1e-12);
    }

    @Test
    void constantScheduleStaysAtThePeakAfterWarmUp() {
        LearningRate constant = new LearningRate(0.3, 0.03, 4, 100, false);
        assertEquals(0.15, constant.at(2), 1e-12);
        assertEquals(0.3, constant.at(50), 1e-12);
        assertEquals(0.3, constant.at(100), 1e-12);
    }

    @Test
    void noWarmUpStartsAtThePeak() {
        assertEquals(2.0, new LearningRate(2.0, 0, 0, 10, true).at(1), 0.1);
    }

    @Test
    void minimumAbovePeakIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRate(0.1, 0.2, 0, 10, true));
    }
}
