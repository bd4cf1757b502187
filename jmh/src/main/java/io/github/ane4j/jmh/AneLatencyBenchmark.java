package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;
import io.github.ane4j.RealtimeScope;
import io.github.ane4j.mil.MilBuilder.WeightLayout;

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
 * Latencies on the Apple Neural Engine only (the runner skips this class elsewhere, saying why; run directly
 * off the ANE, its set-up refuses): a 64×64 weight write and a whole Stories110M layer's weight write
 * (IOSurface lock, fp32 → fp16, unlock), and the latency distribution of the layer's heaviest kernel (its
 * SwiGLU feed-forward pass, 3 matrices of 768×2048 over 256 positions) evaluated without and within a realtime
 * bracket. Sample mode: JMH times every call and reports percentiles (p50, p99) over thousands of them
 * (seed: eval p99 35.2 ms without, 3.3 ms with the realtime bracket).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AneLatencyBenchmark {
    private Ane ane;
    private Kernel small;
    private float[] smallWeight;
    private Pipeline layer;
    private Kernel ffn;

    /** A realtime bracket held open for the whole measurement of {@link #evalRealtime}. */
    @State(Scope.Thread)
    public static class Realtime {
        private RealtimeScope scope;

        @Setup
        public void begin(AneLatencyBenchmark benchmark) { scope = benchmark.ane.realtime(); }

        @TearDown
        public void end() { scope.close(); }
    }

    @Setup
    public void setUp() {
        ane = Ane.open();
        if (!ane.backendName().equals("ane")) {
            ane.close();
            throw new IllegalStateException("AneLatencyBenchmark measures the Apple Neural Engine; this machine runs "
                    + "the reference backend");
        }
        small = ane.compileDynamic(Programs.linear(64, 64, 64), 1);
        smallWeight = RandomValues.uniform(64 * 64, 0.125);
        layer = Transformer.layerForward(ane, Transformer.STORIES110M, WeightLayout.PARAMETERS);
        layer.writeWeights();
        layer.run();
        ffn = layer.stages().stream().filter(s -> s.outputs().size() == 3).findFirst().orElseThrow().kernel();
        checkTheWritesLand();
    }

    @TearDown
    public void tearDown() {
        ane.close();
    }

    @Benchmark
    public void writeWeight64x64() { small.weight(0).write(smallWeight); }

    @Benchmark
    public void writeWeightsLayer() { layer.writeWeights(); }

    @Benchmark
    public void eval() { ffn.eval(); }

    @Benchmark
    public void evalRealtime(Realtime bracket) { ffn.eval(); }

    /** Guards the measurement: the weight reads back as written (fp16 of the values), the layer computed. */
    private void checkTheWritesLand() {
        writeWeight64x64();
        short[] back = small.weight(0).readShorts();
        for (int i = 0; i < back.length; i++) {
            if (back[i] != Float.floatToFloat16(smallWeight[i])) throw new IllegalStateException("weight element " + i + " did not land");
        }
        double sum = 0;
        for (float v : layer.tensor("out")) sum += Math.abs(v);
        if (!(sum > 0) || Double.isNaN(sum)) throw new IllegalStateException("the layer's output is " + sum);
    }
}
