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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole training step of the demo's model (2 layers, dim 64, hidden 192, 4 heads, 64 positions, vocabulary
 * 96) on the transformer training kernels, writing every weight once into each kernel that reads it, then the
 * forward pass, the loss gradient and every activation gradient: with the weights as function parameters
 * against the same kernels with the weights packed into the inputs (seed: 76.9 vs 110 ms per step on an
 * M-series ANE, for its own model).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TrainingStepBenchmark {
    private Ane ane;
    private Pipeline parameters, packed;

    @Setup
    public void setUp() {
        ane = Ane.open();
        parameters = Transformer.trainingStep(ane, Transformer.DEMO, Transformer.DEMO_LAYERS, WeightLayout.PARAMETERS);
        packed = Transformer.trainingStep(ane, Transformer.DEMO, Transformer.DEMO_LAYERS, WeightLayout.PACKED);
        checkBothLayoutsComputeTheSameGradients();
    }

    @TearDown
    public void tearDown() {
        ane.close();
    }

    @Benchmark
    public void stepParameters() {
        parameters.writeWeights();
        parameters.run();
    }

    @Benchmark
    public void stepPacked() {
        packed.writeWeights();
        packed.run();
    }

    /** Guards the comparison: both layouts give the same logits and input gradient, and the gradient is not
     *  zero (a step that skipped a kernel would leave zeros or stale values). */
    private void checkBothLayoutsComputeTheSameGradients() {
        stepParameters();
        stepPacked();
        for (String tensor : List.of("logits", "l0.dx")) {
            float[] a = parameters.tensor(tensor), b = packed.tensor(tensor);
            double difference = Pipeline.relativeDifference(a, b);
            if (!(difference <= 0.02)) throw new IllegalStateException(tensor + " differs between the layouts by " + difference);
        }
        double norm = 0;
        for (float g : parameters.tensor("l0.dx")) norm += g * g;
        if (!(norm > 0) || Double.isInfinite(norm)) throw new IllegalStateException("the input gradient is " + norm);
    }
}
