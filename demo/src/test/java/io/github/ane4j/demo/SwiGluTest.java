package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SwiGluTest {
    private static final int N = 40;
    private final SplitMix64 random = new SplitMix64(17);
    private final float[] h1 = GradientCheck.random(random, N, 4), h3 = GradientCheck.random(random, N, 2);
    private final float[] r = GradientCheck.random(random, N, 1), g = new float[N];

    @Test
    void gateIsSiluOfH1TimesH3() {
        SwiGlu.forward(g, h1, h3, N);
        for (int i = 0; i < N; i++) assertEquals(h1[i] / (1 + Math.exp(-h1[i])) * h3[i], g[i], 1e-5);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        float[] dh1 = new float[N], dh3 = new float[N];
        SwiGlu.backward(dh1, dh3, r, h1, h3, N);
        GradientCheck.check("h1", h1, dh1, this::objective, N, random);
        GradientCheck.check("h3", h3, dh3, this::objective, N, random);
    }

    private double objective() {
        SwiGlu.forward(g, h1, h3, N);
        return GradientCheck.dot(r, g);
    }
}
