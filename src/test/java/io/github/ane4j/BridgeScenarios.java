package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenarios of the upstream bridge test (init, dynamic-weight matmul 64x64x64 with W = I then W = 2I
 * without recompiling, fp32 weight write, output-to-input copy chain, realtime scope, compile cache, free),
 * through the Java API, on the backend a subclass names. Expected values are computed here by hand or by
 * a naive matmul, never read back from the code under test.
 */
abstract class BridgeScenarios {
    static final int N = 64, K = 64, M = 64;

    Ane ane;

    abstract Backend backend();

    @BeforeEach
    void open() { ane = Ane.open(backend()); }

    @AfterEach
    void close() { ane.close(); }

    @Test
    void sessionRunsOnTheRequestedBackend() {
        assertEquals(backend().nativeName(), ane.backendName());
    }

    @Test
    void identityWeightsGiveTheInputAndDoubledWeightsDoubleItWithoutRecompiling() {
        float[] x = Programs.exactFp16Values(K * M, 1);
        try (Kernel k = ane.compileDynamic(Programs.dynMatmul(N, K, M, "fp16"), 1)) {
            int compiles = ane.compileCount();
            k.input(0).write(x);
            k.weight(0).write(Programs.scaledIdentity(N, 1f));
            k.eval();
            assertArrayEquals(x, k.output(0).readFloats(), "W = I gives x back exactly");

            k.weight(0).write(Programs.scaledIdentity(N, 2f));
            k.eval();
            float[] doubled = new float[x.length];
            for (int i = 0; i < x.length; i++) doubled[i] = 2 * x[i];
            assertArrayEquals(doubled, k.output(0).readFloats(), "W = 2I doubles x");
            assertEquals(compiles, ane.compileCount(), "rewriting weights does not recompile");
        }
    }

    @Test
    void matmulMatchesANaiveMatmul() {
        float[] x = Programs.exactFp16Values(K * M, 3);
        float[] w = new float[N * K];
        for (int i = 0; i < w.length; i++) w[i] = ((i * 13) % 9 - 4) / 16f;
        float[] expected = Programs.matmul(w, x, N, K, M);
        try (Kernel k = ane.compileDynamic(Programs.dynMatmul(N, K, M, "fp16"), 1)) {
            k.input(0).write(x);
            k.weight(0).write(w);
            k.eval();
            float[] y = k.output(0).readFloats();
            for (int i = 0; i < y.length; i++) {
                float tolerance = 1e-3f * Math.max(1, Math.abs(expected[i])); // one fp16 rounding of the result
                assertEquals(expected[i], y[i], tolerance, "element " + i);
            }
        }
    }

    @Test
    void fp32WeightsAreRoundedToFp16OnAnFp16Surface() {
        // 1 + 2^-11 is a tie between 1 and 1 + 2^-10 and rounds to even (1); 1 + 3*2^-11 rounds up to 1 + 2^-9.
        float tieDown = 1f + 0x1p-11f, tieUp = 1f + 3 * 0x1p-11f;
        float[] w = new float[N * K];
        for (int i = 0; i < N; i++) w[i * K + i] = i % 2 == 0 ? tieDown : tieUp;
        float[] x = new float[K * M];
        Arrays.fill(x, 1f);
        try (Kernel k = ane.compileDynamic(Programs.dynMatmul(N, K, M, "fp16"), 1)) {
            k.weight(0).write(w);
            k.input(0).write(x);
            k.eval();
            float[] y = k.output(0).readFloats();
            for (int n = 0; n < N; n++) {
                float expected = n % 2 == 0 ? 1f : 1f + 0x1p-9f;
                for (int m = 0; m < M; m++) assertEquals(expected, y[n * M + m], "row " + n);
            }
            assertEquals(Float.floatToFloat16(tieUp), k.weight(0).readShorts()[K + 1]);
        }
    }

    @Test
    void fp32WeightsAreCopiedExactlyOnAnFp32Surface() {
        float[] w = Programs.scaledIdentity(8, 1f + 0x1p-20f); // not representable in fp16
        float[] x = new float[8 * 8];
        Arrays.fill(x, 1f);
        try (Kernel k = ane.compileDynamic(Programs.dynMatmul(8, 8, 8, "fp32"), 1)) {
            k.weight(0).write(w);
            k.input(0).write(x);
            assertArrayEquals(w, k.weight(0).readFloats());
            k.eval();
            // out[n][m] = W[n][n] * 1. The reference computes fp32 programs in fp32; the ANE computes in fp16.
            float tolerance = "ane".equals(ane.backendName()) ? 1e-3f : 0f;
            for (float v : k.output(0).readFloats()) assertEquals(1f + 0x1p-20f, v, tolerance);
        }
    }

    @Test
    void copyChainOfDoublingKernelsQuadruples() {
        MilProgram twice = Programs.addSelf(64, 64);
        float[] x = Programs.exactFp16Values(64 * 64, 5);
        try (Kernel first = ane.compile(twice); Kernel second = ane.compile(twice)) {
            first.input(0).write(x);
            first.eval();
            first.copyOutputTo(0, second, 0);
            second.eval();
            float[] y = second.output(0).readFloats();
            for (int i = 0; i < x.length; i++) assertEquals(4 * x[i], y[i], "element " + i);
        }
    }

    @Test
    void realtimeScopeBracketsEvals() {
        float[] x = Programs.exactFp16Values(4 * 8, 7);
        try (Kernel k = ane.compile(Programs.addSelf(4, 8))) {
            k.input(0).write(x);
            RealtimeScope scope = ane.realtime();
            assertTrue(scope.isOpen());
            for (int i = 0; i < 10; i++) k.eval();
            try (RealtimeScope nested = ane.realtime()) {
                k.eval();
                assertTrue(nested.isOpen());
            }
            scope.close();
            assertFalse(scope.isOpen());
            scope.close(); // idempotent
            float[] y = k.output(0).readFloats();
            for (int i = 0; i < x.length; i++) assertEquals(2 * x[i], y[i]);
        }
    }

    @Test
    void compilingTheSameProgramAgainHitsTheCache() {
        // A program text no other test uses, so the first compile here is a real one.
        MilProgram p = Programs.addSelf(3, 40 + backend().ordinal());
        ane.resetCompileCount();
        assertEquals(0, ane.compileCount());
        try (Kernel a = ane.compile(p)) {
            assertEquals(1, ane.compileCount(), "first compile is real");
            try (Kernel b = ane.compile(p)) {
                assertEquals(1, ane.compileCount(), "second compile of the same text is a cache hit");
                float[] x = Programs.exactFp16Values(3 * (40 + backend().ordinal()), 9);
                a.input(0).write(x);
                b.input(0).write(new float[x.length]);
                a.eval();
                b.eval();
                assertEquals(2 * x[1], a.output(0).readFloats()[1]);
                assertEquals(0f, b.output(0).readFloats()[1], "cached kernels have their own surfaces");
            }
        }
    }

    @Test
    void closeFreesTheKernelAndIsIdempotent() {
        Kernel k = ane.compile(Programs.addSelf(4, 8));
        k.close();
        assertTrue(k.isClosed());
        k.close();
        assertThrows(IllegalStateException.class, k::eval);
        assertThrows(IllegalStateException.class, () -> k.input(0));
    }
}
