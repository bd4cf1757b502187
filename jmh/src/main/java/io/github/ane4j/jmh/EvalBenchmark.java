package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * {@link Kernel#eval()} against the baseline {@code ane_bridge_eval} called directly on the same native
 * handle: the difference is what the Java API adds per eval. Subclasses choose the program (JMH runs the
 * benchmark methods once per concrete subclass).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
// 5 s of warm-up: on 2 busy cores the JIT took over 3 s to finish compiling the map() fill.
@Warmup(iterations = 5, time = 1)
// 10 iterations of 0.5 s rather than 5 of 1 s: JMH's 99.9% error then uses Student's t with 9 degrees of
// freedom instead of 4, which about halves it on a busy machine.
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public abstract class EvalBenchmark {
    private Ane ane;
    private Kernel kernel;
    private MemorySegment handle;

    /** Compiles the program to evaluate. */
    protected abstract Kernel compile(Ane ane);

    /** Writes the inputs and weights, evaluates once through {@code nativeEval} and checks the outputs, so a
     *  wrong handle or an empty program fails before anything is measured. */
    protected abstract void prepare(Kernel kernel, Runnable nativeEval);

    @Setup
    public void setUp() {
        ane = Ane.open();
        kernel = compile(ane);
        handle = DirectBridge.handle(kernel);
        prepare(kernel, this::nativeEval);
    }

    @TearDown
    public void tearDown() {
        ane.close();
    }

    @Benchmark
    public void kernelEval() {
        kernel.eval();
    }

    @Benchmark
    public boolean nativeEval() {
        return DirectBridge.eval(handle);
    }
}
