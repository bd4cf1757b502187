package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Surface;
import io.github.ane4j.SurfaceView;

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

import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/** The fixed cost of zero-copy access: {@link Surface#map()} and closing the view, touching one element. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapBenchmark {
    private Ane ane;
    private Surface input;

    @Setup
    public void setUp() {
        ane = Ane.open();
        input = ane.compile(Programs.doubling(Programs.SPATIAL)).input(0);
        input.write(new float[Programs.SPATIAL]);
        short one = Float.floatToFloat16(1f);
        try (SurfaceView view = input.map()) {
            view.segment().set(ValueLayout.JAVA_SHORT, 0, one);
        }
        if (input.readShorts()[0] != one) throw new IllegalStateException("the mapped segment is not the surface memory");
    }

    @TearDown
    public void tearDown() {
        ane.close();
    }

    @Benchmark
    public short mapAndClose() {
        try (SurfaceView view = input.map()) {
            return view.segment().get(ValueLayout.JAVA_SHORT, 0);
        }
    }
}
