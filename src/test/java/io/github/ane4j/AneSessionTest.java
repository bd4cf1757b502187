package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions: backend choice, closing what they compiled, threads, compile counting, the Cleaner. */
class AneSessionTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void withoutAnAneTheDefaultIsTheReferenceBackend() {
        try (Ane ane = Ane.open()) {
            assertEquals("reference", ane.backendName());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void requestingTheAneWhereThereIsNoneSaysWhy() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Ane.open(Backend.ANE));
        assertTrue(e.getMessage().startsWith("backend ane is unavailable: ") && e.getMessage().length() > 30,
                e.getMessage());
    }

    @Test
    void closingTheSessionClosesItsKernelsAndScopes() {
        Ane ane = Ane.open(Backend.REFERENCE);
        Kernel a = ane.compile(Programs.addSelf(2, 2));
        Kernel b = ane.compileDynamic(Programs.dynMatmul(2, 2, 2, "fp16"), 1);
        RealtimeScope scope = ane.realtime();
        Kernel closedEarly = ane.compile(Programs.addSelf(2, 3));
        closedEarly.close();
        assertEquals(2, ane.openKernelCount());
        ane.close();
        assertTrue(a.isClosed() && b.isClosed());
        assertFalse(scope.isOpen());
        assertEquals(0, ane.openKernelCount());
        a.close(); // still idempotent
    }

    @Test
    void compileCountCountsRealCompilesOnly() {
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            ane.resetCompileCount();
            MilProgram p = Programs.addSelf(5, 7);
            Kernel first = ane.compile(p);
            Kernel other = ane.compile(Programs.addSelf(5, 9));
            assertEquals(2, ane.compileCount(), "two distinct programs after a reset");
            Kernel again = ane.compile(p);
            assertEquals(2, ane.compileCount(), "the same text again is a cache hit");
            List.of(first, other, again).forEach(Kernel::close);
            ane.resetCompileCount();
            assertEquals(0, ane.compileCount());
        }
    }

    @Test
    void threadsCompileAndRunTheirOwnKernelsConcurrently() throws Exception {
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = t;
                    results.add(pool.submit(() -> {
                        try (Kernel k = ane.compile(Programs.addSelf(8, 8))) {
                            float[] x = Programs.exactFp16Values(64, seed);
                            for (int i = 0; i < 20; i++) {
                                k.input(0).write(x);
                                k.eval();
                            }
                            return k.output(0).readFloats();
                        }
                    }));
                }
                for (int t = 0; t < 8; t++) {
                    float[] x = Programs.exactFp16Values(64, t);
                    float[] expected = new float[64];
                    for (int i = 0; i < 64; i++) expected[i] = 2 * x[i];
                    assertArrayEquals(expected, results.get(t).get(30, TimeUnit.SECONDS), "thread " + t);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, ane.openKernelCount());
        }
    }

    @Test
    void closingTheSessionWhileAnotherThreadEvaluatesNeverCrashes() throws Exception {
        Ane ane = Ane.open(Backend.REFERENCE);
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Throwable> worker = CompletableFuture.supplyAsync(() -> {
            try (Kernel k = ane.compileDynamic(Programs.dynMatmul(64, 64, 64, "fp16"), 1)) {
                float[] x = Programs.exactFp16Values(64 * 64, 4);
                running.countDown();
                while (true) {
                    k.input(0).write(x);
                    k.eval();
                    k.output(0).readFloats();
                }
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(running.await(30, TimeUnit.SECONDS));
        Thread.sleep(50);
        ane.close();
        Throwable stop = worker.get(30, TimeUnit.SECONDS);
        assertTrue(stop instanceof IllegalStateException, "the worker stops with IllegalStateException, got " + stop);
        assertEquals(0, ane.openKernelCount());
    }

    @Test
    void anUnreachableKernelIsFreedByTheCleaner() throws InterruptedException {
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            compileAndDrop(ane);
            assertEquals(1, ane.openKernelCount());
            for (int i = 0; i < 200 && ane.openKernelCount() > 0; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(0, ane.openKernelCount(), "the Cleaner freed the dropped kernel");
        }
    }

    private static void compileAndDrop(Ane ane) {
        ane.compile(Programs.addSelf(2, 2)).eval();
    }

    @Test
    void realtimeScopesCloseOnceFromAnyThread() throws Exception {
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            RealtimeScope scope = ane.realtime();
            CompletableFuture.runAsync(scope::close).get();
            assertFalse(scope.isOpen());
            scope.close();
        }
    }
}
