package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;

import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.TimeUnit;

/** The eval of a tiny program (y = x + x on 256 values), where the Java overhead weighs the most. */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TinyEvalBenchmark extends EvalBenchmark {
    private static final int FLOATS = 256;

    @Override
    protected Kernel compile(Ane ane) {
        return ane.compile(Programs.doubling(FLOATS));
    }

    @Override
    protected void prepare(Kernel kernel, Runnable nativeEval) {
        float[] x = RandomValues.uniform(FLOATS, 1.0);
        kernel.input(0).write(x);
        nativeEval.run();
        float[] y = kernel.output(0).readFloats();
        for (int i = 0; i < FLOATS; i++) {
            float expected = 2 * Float.float16ToFloat(Float.floatToFloat16(x[i])); // doubling an fp16 is exact
            if (y[i] != expected) throw new IllegalStateException("y[" + i + "] = " + y[i] + ", expected " + expected);
        }
    }
}
