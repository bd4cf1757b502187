package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Stories110M-shaped transformer layer (dim 768, hidden 2048, 12 heads, 256 positions) built from the
 * transformer training kernels: its forward pass with the weights as function parameters against the same
 * kernels with the weights packed into the inputs beside the activations; and its weight update (7.1 M fp32
 * values converted to fp16 into the weight surfaces, every weight into each kernel that reads it) through
 * {@code Kernel.write} in either layout, against the bridge's {@code ane_bridge_write_weight_f32} called
 * directly from native memory.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class StoriesLayerBenchmark {
    private Ane ane;
    private Pipeline parameters, packed;
    private Arena arena;
    private final List<Runnable> nativeWrites = new ArrayList<>();

    @Setup
    public void setUp() {
        ane = Ane.open();
        parameters = Transformer.layerForward(ane, Transformer.STORIES110M, WeightLayout.PARAMETERS);
        packed = Transformer.layerForward(ane, Transformer.STORIES110M, WeightLayout.PACKED);
        arena = Arena.ofConfined();
        for (Pipeline.Stage s : parameters.stages()) {
            MemorySegment handle = DirectBridge.handle(s.kernel());
            int index = 0;
            for (String tensor : s.weights().values()) {
                float[] values = parameters.tensor(tensor);
                MemorySegment copy = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
                int weight = index++;
                nativeWrites.add(() -> DirectBridge.writeWeightF32(handle, weight, copy, values.length));
            }
        }
        checkBothLayoutsComputeTheLayerAndTheNativeWriteTheWeights();
    }

    @TearDown
    public void tearDown() {
        arena.close();
        ane.close();
    }

    @Benchmark
    public void forwardParameters() { parameters.run(); }

    @Benchmark
    public void forwardPacked() { packed.run(); }

    @Benchmark
    public void weightsParameters() { parameters.writeWeights(); }

    @Benchmark
    public void weightsPacked() { packed.writeWeights(); }

    @Benchmark
    public void weightsNative() {
        for (Runnable write : nativeWrites) write.run();
    }

    /** Guards the comparison: both layouts give the same layer output (within fp16 rounding of the same
     *  operations in another order), not zeros; the native write leaves the same fp16 bits as Kernel.write. */
    private void checkBothLayoutsComputeTheLayerAndTheNativeWriteTheWeights() {
        for (Pipeline p : List.of(parameters, packed)) {
            p.writeWeights();
            p.run();
        }
        float[] a = parameters.tensor("out"), b = packed.tensor("out");
        double difference = Pipeline.relativeDifference(a, b);
        if (!(difference <= 0.01)) throw new IllegalStateException("the packed layer's output differs by " + difference);
        if (Arrays.equals(a, parameters.tensor("x"))) throw new IllegalStateException("the layer added nothing to x");
        for (Pipeline.Stage s : parameters.stages()) {
            for (int i = 0; i < s.weights().size(); i++) s.kernel().weight(i).write(new short[(int) s.kernel().weight(i).elementCount()]);
        }
        weightsNative();
        for (Pipeline.Stage s : parameters.stages()) {
            int i = 0;
            for (String tensor : s.weights().values()) {
                float[] values = parameters.tensor(tensor);
                short[] expected = new short[values.length];
                for (int j = 0; j < values.length; j++) expected[j] = Float.floatToFloat16(values[j]);
                if (!Arrays.equals(s.kernel().weight(i).readShorts(), expected)) {
                    throw new IllegalStateException("the native write left other bits than fp16(" + tensor + ") in " + s.kernel().weight(i));
                }
                i++;
            }
        }
    }
}
