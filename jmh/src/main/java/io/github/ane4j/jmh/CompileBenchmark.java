package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;
import io.github.ane4j.mil.MilProgram;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Compiling a 768×768×64 linear layer with a dynamic weight: a compile-cache hit (the program is compiled and
 * alive already; the cache hands out a new kernel on it) against a real compile (a program text never seen
 * before). Single-shot: each measured iteration is one compile, 45 in all per fork, within the ANE's compile
 * budget of 110 per process.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 15)
@Measurement(iterations = 30)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CompileBenchmark {
    static final int K = 768, N = 768, M = 64;

    private Ane ane;
    private MilProgram cached;
    private Kernel alive;
    /** Distinct programs, parsed beforehand: the real compile measures the compile only, as the hit does. */
    private final MilProgram[] fresh = new MilProgram[64];
    private int next;

    @Setup
    public void setUp() {
        ane = Ane.open();
        cached = Programs.linear(K, N, M);
        alive = ane.compileDynamic(cached, 1);
        long seed = System.nanoTime(); // a new text in every fork, so not even the ANE's own cache holds it
        for (int i = 0; i < fresh.length; i++) fresh[i] = Programs.linear(K, N, M, "y_" + seed + "_" + i);
        checkWhichCompilesAreReal();
    }

    @TearDown
    public void tearDown() {
        ane.close();
    }

    @Benchmark
    public void cacheHit() {
        ane.compileDynamic(cached, 1).close();
    }

    @Benchmark
    public void realCompile() {
        ane.compileDynamic(fresh[next++], 1).close();
    }

    /** Guards the comparison: a hit compiles nothing, the other compiles once (ane4j's own count). */
    private void checkWhichCompilesAreReal() {
        int before = ane.compileCount();
        cacheHit();
        if (ane.compileCount() != before) throw new IllegalStateException("the cache hit compiled for real");
        realCompile();
        if (ane.compileCount() != before + 1) throw new IllegalStateException("the fresh program did not compile once");
        if (alive.isClosed()) throw new IllegalStateException("the cached kernel was closed");
    }
}
