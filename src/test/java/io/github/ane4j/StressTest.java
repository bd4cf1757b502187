package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads compile, evaluate and close kernels for a bounded time. They share one session, the
 * read-only programs, inputs and weight files, and through the compile cache the compiled programs
 * themselves (every kernel of one text uses the same plan); each kernel is its own thread's. Every result
 * must equal the answer the same case gave on one thread before the threads started.
 */
class StressTest {
    private static final int THREADS = 4;
    private static final long MILLIS = 2_000;

    /** One program with its inputs, dynamic weights and weight files. */
    private record Case(MilProgram program, int weightCount, Map<String, byte[]> files, List<float[]> inputs,
                        List<float[]> weights) {
        float[][] run(Ane ane) {
            try (Kernel k = ane.compileDynamic(program, weightCount, files)) {
                for (int i = 0; i < inputs.size(); i++) k.input(i).write(inputs.get(i));
                for (int i = 0; i < weights.size(); i++) k.weight(i).write(weights.get(i));
                k.eval();
                float[][] out = new float[k.outputCount()][];
                for (int j = 0; j < out.length; j++) out[j] = k.output(j).readFloats();
                return out;
            }
        }
    }

    private static List<Case> cases() {
        String path = "@model_path/weights/b.bin";
        return List.of(
                new Case(Programs.addSelf(4, 16), 0, Map.of(), List.of(Programs.exactFp16Values(64, 1)), List.of()),
                new Case(Programs.sumAndProduct(4, 8), 0, Map.of(),
                        List.of(Programs.exactFp16Values(32, 2), Programs.exactFp16Values(32, 3)), List.of()),
                new Case(Programs.dynMatmul(16, 32, 8, "fp16"), 1, Map.of(), List.of(Programs.exactFp16Values(256, 4)),
                        List.of(Programs.exactFp16Values(512, 5))),
                new Case(Programs.dynMatmulWithBlobBias(8, 16, 4, path), 1,
                        Map.of(path, BlobFiles.singleFp16(Programs.exactFp16Values(32, 6))),
                        List.of(Programs.exactFp16Values(64, 7)), List.of(Programs.exactFp16Values(128, 8))),
                new Case(Programs.blobConv(8, 4, 16, "@model_path/weights/w.bin"), 0,
                        Map.of("@model_path/weights/w.bin", BlobFiles.singleFp16(Programs.exactFp16Values(32, 9))),
                        List.of(Programs.exactFp16Values(128, 10)), List.of()));
    }

    @Test
    void threadsCompilingEvaluatingAndClosingKernelsGetTheSingleThreadedAnswers() throws Exception {
        List<Case> cases = cases();
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            List<float[][]> expected = new ArrayList<>();
            for (Case c : cases) expected.add(c.run(ane));
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
                List<Future<Integer>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int seed = t;
                    workers.add(pool.submit(() -> {
                        int rounds = 0;
                        for (int i = seed; System.nanoTime() < end; i++, rounds++) {
                            int c = i % cases.size();
                            float[][] got = cases.get(c).run(ane);
                            for (int j = 0; j < got.length; j++) {
                                if (!Arrays.equals(expected.get(c)[j], got[j])) {
                                    throw new AssertionError("case " + c + " output " + j + " differs on thread " + seed);
                                }
                            }
                        }
                        return rounds;
                    }));
                }
                int total = 0;
                for (Future<Integer> w : workers) {
                    int rounds = w.get(MILLIS + 60_000, TimeUnit.MILLISECONDS);
                    assertTrue(rounds > 0, "every thread ran at least one round");
                    total += rounds;
                }
                System.out.printf("stress: %d threads, %d compile/eval/close rounds in %d ms%n", THREADS, total, MILLIS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, ane.openKernelCount());
        }
    }
}
