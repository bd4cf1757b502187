package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;

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
 * A chain of 4 kernels (each y = x + x on 64K fp16 values, 128 KiB) passing activations on: by
 * {@link Kernel#copyOutputTo} after each eval, against {@link Kernel#aliasOutputAsInput} set up once (each
 * kernel reads its predecessor's output surface itself: no copy).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChainBenchmark {
    static final int LENGTH = 4, FLOATS = 65536;

    private Ane ane;
    private final Kernel[] copied = new Kernel[LENGTH], aliased = new Kernel[LENGTH];

    @Setup
    public void setUp() {
        ane = Ane.open();
        for (int i = 0; i < LENGTH; i++) {
            copied[i] = ane.compile(Programs.doubling(FLOATS));
            aliased[i] = ane.compile(Programs.doubling(FLOATS));
            if (i > 0) aliased[i - 1].aliasOutputAsInput(0, aliased[i], 0);
        }
        checkBothChainsMultiplyBy16();
    }

    @TearDown
    public void tearDown() {
        ane.close();
    }

    @Benchmark
    public void copyOutputTo() {
        for (int i = 0; i < LENGTH; i++) {
            copied[i].eval();
            if (i + 1 < LENGTH) copied[i].copyOutputTo(0, copied[i + 1], 0);
        }
    }

    @Benchmark
    public void aliasOutputAsInput() {
        for (Kernel k : aliased) k.eval();
    }

    /** Guards the comparison: 4 doublings give 16·x exactly (|x| ≤ 1: no fp16 overflow), on both chains. */
    private void checkBothChainsMultiplyBy16() {
        float[] x = RandomValues.uniform(FLOATS, 1.0);
        copied[0].input(0).write(x);
        aliased[0].input(0).write(x);
        copyOutputTo();
        aliasOutputAsInput();
        float[] a = copied[LENGTH - 1].output(0).readFloats(), b = aliased[LENGTH - 1].output(0).readFloats();
        for (int i = 0; i < FLOATS; i++) {
            float expected = 16 * Float.float16ToFloat(Float.floatToFloat16(x[i]));
            if (a[i] != expected || b[i] != expected) {
                throw new IllegalStateException("element " + i + ": copy chain " + a[i] + ", alias chain " + b[i] + ", expected " + expected);
            }
        }
    }
}
