package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;

import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.TimeUnit;

/** The eval of a linear layer with a dynamic weight, y [1, 768, 64] = W [1, 768, 768] · x [1, 768, 1, 64]:
 *  a real workload, where the Java overhead should vanish. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatmulEvalBenchmark extends EvalBenchmark {
    private static final int K = 768, N = 768, M = 64;
    /** fp16 keeps 11 significant bits: allow 1/512 of the row's largest output for rounding. */
    private static final double TOLERANCE = 1.0 / 512;

    @Override
    protected Kernel compile(Ane ane) {
        return ane.compileDynamic(Programs.linear(K, N, M), 1);
    }

    /** Checks row 0 of y against a double-precision dot product of the fp16-rounded operands. */
    @Override
    protected void prepare(Kernel kernel, Runnable nativeEval) {
        float[] x = RandomValues.uniform(K * M, 1.0);
        float[] w = RandomValues.uniform(N * K, 1.0 / Math.sqrt(K));
        kernel.input(0).write(x);
        kernel.weight(0).write(w);
        nativeEval.run();
        float[] y = kernel.output(0).readFloats();
        double[] expected = new double[M];
        double largest = 0;
        for (int col = 0; col < M; col++) {
            for (int i = 0; i < K; i++) expected[col] += (double) fp16(w[i]) * fp16(x[i * M + col]);
            largest = Math.max(largest, Math.abs(expected[col]));
        }
        for (int col = 0; col < M; col++) {
            if (!(Math.abs(y[col] - expected[col]) <= TOLERANCE * largest)) {
                throw new IllegalStateException("y[0, " + col + "] = " + y[col] + ", expected " + expected[col]);
            }
        }
    }

    private static float fp16(float v) { return Float.float16ToFloat(Float.floatToFloat16(v)); }
}
