package io.github.ane4j.jmh;

import java.util.SplittableRandom;

/** Reproducible benchmark data. */
final class RandomValues {
    private RandomValues() {}

    /** {@code count} floats uniform in [-scale, scale), the same for every run. */
    static float[] uniform(int count, double scale) {
        SplittableRandom random = new SplittableRandom(2024);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) (random.nextDouble(-1, 1) * scale);
        return values;
    }
}
