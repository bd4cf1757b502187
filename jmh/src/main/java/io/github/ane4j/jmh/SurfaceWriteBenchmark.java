package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Fp16;
import io.github.ane4j.Kernel;
import io.github.ane4j.Surface;
import io.github.ane4j.SurfaceView;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Filling an fp16 input surface from fp32 values, three ways: {@link Surface#write(float[])} (the Java
 * API converts in Java), the bridge's own {@code ane_bridge_write_input_f32} called directly from native
 * memory (the baseline: C conversion, no Java API), and {@link Surface#map()} then converting into the
 * mapped segment (zero-copy access).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// 5 s of warm-up: on 2 busy cores the JIT took over 3 s to finish compiling the map() fill.
@Warmup(iterations = 5, time = 1)
// 10 iterations of 0.5 s rather than 5 of 1 s: JMH's 99.9% error then uses Student's t with 9 degrees of
// freedom instead of 4, which about halves it on a busy machine.
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SurfaceWriteBenchmark {
    @Param({"4096", "1048576"})
    public int floats;

    private Ane ane;
    private Kernel kernel;
    private Surface input;
    private MemorySegment handle;
    private float[] values;
    private Arena arena;
    private MemorySegment nativeValues;

    @Setup
    public void setUp() {
        ane = Ane.open();
        kernel = ane.compile(Programs.doubling(floats));
        input = kernel.input(0);
        handle = DirectBridge.handle(kernel);
        values = RandomValues.uniform(floats, 1.0);
        arena = Arena.ofConfined();
        nativeValues = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
        checkEachWayWritesTheSameFp16();
    }

    @TearDown
    public void tearDown() {
        arena.close();
        ane.close();
    }

    @Benchmark
    public void surfaceWrite() {
        input.write(values);
    }

    @Benchmark
    public void nativeWriteInputF32() {
        DirectBridge.writeInputF32(handle, 0, nativeValues, floats);
    }

    @Benchmark
    public void mapFill() {
        try (SurfaceView view = input.map()) {
            Fp16.toFp16(values, 0, view.segment(), 0, floats);
        }
    }

    /** Guards the comparison: all three must leave the same bits in the surface, fp16 rounded to nearest
     *  even (the expected bits come from Float.floatToFloat16, not from ane4j). */
    private void checkEachWayWritesTheSameFp16() {
        short[] expected = new short[floats];
        for (int i = 0; i < floats; i++) expected[i] = Float.floatToFloat16(values[i]);
        Map<String, Runnable> ways = Map.of("surfaceWrite", this::surfaceWrite,
                "nativeWriteInputF32", this::nativeWriteInputF32, "mapFill", this::mapFill);
        ways.forEach((name, way) -> {
            input.write(new short[floats]);
            way.run();
            if (!Arrays.equals(input.readShorts(), expected)) {
                throw new IllegalStateException(name + " left other values in the surface than fp16(values)");
            }
        });
    }
}
