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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * fp32 values into and out of fp16 surfaces: {@link Surface#write(float[])}, {@link Surface#read(float[])}
 * and {@link Surface#readFloats()} through the Java API, against the bridge's own C conversions
 * ({@code ane_bridge_write_input_f32}, {@code ane_bridge_read_output_f32}: the library's best vector path
 * for this CPU) called directly from native memory; and {@link Surface#map()} with a Java conversion into
 * the mapped segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FloatTransferBenchmark {
    @Param({"4096", "65536", "1048576", "16777216"})
    public int floats;

    private Ane ane;
    private Surface input, output;
    private MemorySegment handle;
    private float[] values, read;
    private Arena arena;
    private MemorySegment nativeValues, nativeRead;

    @Setup
    public void setUp() {
        ane = Ane.open();
        Kernel kernel = ane.compile(Programs.doubling(floats));
        input = kernel.input(0);
        output = kernel.output(0);
        handle = DirectBridge.handle(kernel);
        values = RandomValues.uniform(floats, 1.0);
        read = new float[floats];
        arena = Arena.ofConfined();
        nativeValues = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
        nativeRead = arena.allocate(ValueLayout.JAVA_FLOAT, floats);
        checkEachWayMovesTheSameValues(kernel);
    }

    @TearDown
    public void tearDown() {
        arena.close();
        ane.close();
    }

    @Benchmark
    public void write() {
        input.write(values);
    }

    @Benchmark
    public void nativeWrite() {
        DirectBridge.writeInputF32(handle, 0, nativeValues, floats);
    }

    @Benchmark
    public void mapFill() {
        try (SurfaceView view = input.map()) {
            Fp16.toFp16(values, 0, view.segment(), 0, floats);
        }
    }

    @Benchmark
    public float[] read() {
        output.read(read);
        return read;
    }

    @Benchmark
    public float[] readFloats() {
        return output.readFloats();
    }

    @Benchmark
    public MemorySegment nativeRead() {
        DirectBridge.readOutputF32(handle, 0, nativeRead, floats);
        return nativeRead;
    }

    /** Guards the comparison: the three writes must leave fp16(values) in the input, rounded to nearest even
     *  (the expected bits come from Float.floatToFloat16, not from ane4j), and the three reads must return
     *  2·fp16(values) from the output after an eval. */
    private void checkEachWayMovesTheSameValues(Kernel kernel) {
        short[] expected = new short[floats];
        float[] doubled = new float[floats];
        for (int i = 0; i < floats; i++) {
            expected[i] = Float.floatToFloat16(values[i]);
            doubled[i] = 2 * Float.float16ToFloat(expected[i]);
        }
        Map<String, Runnable> writes = new LinkedHashMap<>();
        writes.put("write", this::write);
        writes.put("nativeWrite", this::nativeWrite);
        writes.put("mapFill", this::mapFill);
        writes.forEach((name, way) -> {
            input.write(new short[floats]);
            way.run();
            if (!Arrays.equals(input.readShorts(), expected)) {
                throw new IllegalStateException(name + " left other values in the surface than fp16(values)");
            }
        });
        kernel.eval();
        Map<String, float[]> reads = new LinkedHashMap<>();
        reads.put("read", read().clone());
        reads.put("readFloats", readFloats());
        reads.put("nativeRead", nativeRead().toArray(ValueLayout.JAVA_FLOAT));
        reads.forEach((name, got) -> {
            if (!Arrays.equals(got, doubled)) throw new IllegalStateException(name + " did not return 2·fp16(values)");
        });
    }
}
