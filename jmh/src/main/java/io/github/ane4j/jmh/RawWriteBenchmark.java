package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
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
 * Raw fp16 values (no conversion) into a surface from Java: {@link Surface#write(short[])},
 * {@link Surface#write(MemorySegment)} from native memory, and a copy into a {@link Surface#map() mapped}
 * view, against the C library's {@code memcpy} of the same bytes from native memory into the same surface.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RawWriteBenchmark {
    @Param({"4096", "65536", "1048576", "16777216"})
    public int bytes;

    private Ane ane;
    private Surface input;
    private short[] bits;
    private Arena arena;
    private MemorySegment nativeBits, surfaceMemory;

    @Setup
    public void setUp() {
        ane = Ane.open();
        Kernel kernel = ane.compile(Programs.doubling(bytes / 2));
        input = kernel.input(0);
        float[] values = RandomValues.uniform(bytes / 2, 1.0);
        bits = new short[values.length];
        for (int i = 0; i < bits.length; i++) bits[i] = Float.floatToFloat16(values[i]);
        arena = Arena.ofConfined();
        nativeBits = arena.allocateFrom(ValueLayout.JAVA_SHORT, bits);
        surfaceMemory = DirectBridge.surfacePointer(DirectBridge.handle(kernel), DirectBridge.INPUT, 0, bytes);
        checkEachWayWritesTheBits();
    }

    @TearDown
    public void tearDown() {
        arena.close();
        ane.close();
    }

    @Benchmark
    public void writeShorts() {
        input.write(bits);
    }

    @Benchmark
    public void writeSegment() {
        input.write(nativeBits);
    }

    @Benchmark
    public void mapCopy() {
        try (SurfaceView view = input.map()) {
            MemorySegment.copy(bits, 0, view.segment(), ValueLayout.JAVA_SHORT, 0, bits.length);
        }
    }

    @Benchmark
    public void nativeMemcpy() {
        DirectBridge.memcpy(surfaceMemory, nativeBits, bytes);
    }

    /** Guards the comparison: every way must leave exactly the bits in the surface. */
    private void checkEachWayWritesTheBits() {
        Map<String, Runnable> ways = new LinkedHashMap<>();
        ways.put("writeShorts", this::writeShorts);
        ways.put("writeSegment", this::writeSegment);
        ways.put("mapCopy", this::mapCopy);
        ways.put("nativeMemcpy", this::nativeMemcpy);
        ways.forEach((name, way) -> {
            input.write(new short[bits.length]);
            way.run();
            if (!Arrays.equals(input.readShorts(), bits)) throw new IllegalStateException(name + " left other bits in the surface");
        });
    }
}
