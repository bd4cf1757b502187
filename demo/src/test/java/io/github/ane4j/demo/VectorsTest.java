package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorsTest {
    @Test
    void expIsWithinTwoUlpOfMathExpOverItsRange() {
        float[] x = new float[Vectors.LANES];
        for (float start = -87.25f; start + 0.0137f * Vectors.LANES < 88.3f; start += 0.0137f * Vectors.LANES) {
            for (int i = 0; i < x.length; i++) x[i] = start + 0.0137f * i;
            float[] e = Vectors.exp(FloatVector.fromArray(Vectors.SPECIES, x, 0)).toArray();
            for (int i = 0; i < x.length; i++) {
                float expected = (float) Math.exp(x[i]);
                assertTrue(Math.abs(e[i] - expected) <= 2 * Math.ulp(expected), "exp(" + x[i] + ") = " + e[i] + ", not " + expected);
            }
        }
    }

    @Test
    void expOfMinusInfinityAndOfVeryNegativeNumbersIsZero() {
        float[] x = new float[Vectors.LANES];
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
        x[0] = -100f;
        for (float e : Vectors.exp(FloatVector.fromArray(Vectors.SPECIES, x, 0)).toArray()) assertEquals(0f, e);
    }

    @Test
    void sumAddsTheLanesInOrder() {
        float[] x = new float[Vectors.LANES];
        x[0] = 1e8f;
        x[1] = 1f;
        x[Vectors.LANES - 1] = -1e8f;
        float sequential = 0;
        for (float v : x) sequential += v;
        assertEquals(sequential, Vectors.sum(FloatVector.fromArray(Vectors.SPECIES, x, 0)));
    }
}
