package io.github.ane4j.demo;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;
import io.github.ane4j.mil.MilProgram;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A linear layer with dynamic weights, y = W · x, run through ane4j: compiled once, evaluated, checked
 * against a plain Java matmul, then given new weights and evaluated again without recompiling.
 * Usage: {@code Demo [K N M [runs]]} (defaults 768 768 64 50).
 */
public final class Demo {
    /** x [1, K, 1, M] (activations, channel-first) and the dynamic weight W [1, N, K]; y [1, N, M]. */
    private static final String MIL = """
            program(1.3)
            [buildInfo = dict<string, string>({{"coremlc-component-MIL", "3510.2.1"}, {"coremlc-version", "3505.4.1"}, {"coremltools-component-milinternal", ""}, {"coremltools-version", "9.0"}})]
            {
                func main<ios18>(tensor<fp16, [1, %1$d, 1, %3$d]> x, tensor<fp16, [1, %2$d, %1$d]> W) {
                    tensor<int32, [3]> shape = const()[name = string("shape"), val = tensor<int32, [3]>([1, %1$d, %3$d])];
                    tensor<fp16, [1, %1$d, %3$d]> x3 = reshape(shape = shape, x = x)[name = string("x3")];
                    bool no = const()[name = string("no"), val = bool(false)];
                    tensor<fp16, [1, %2$d, %3$d]> y = matmul(transpose_x = no, transpose_y = no, x = W, y = x3)[name = string("y")];
                } -> (y);
            }
            """;

    /** fp16 keeps 11 significant bits; allow 1/512 of the largest output for rounding of x, W and y. */
    private static final double TOLERANCE = 1.0 / 512;

    public static void main(String[] args) {
        int k = arg(args, 0, 768), n = arg(args, 1, 768), m = arg(args, 2, 64), runs = arg(args, 3, 50);
        SplittableRandom random = new SplittableRandom(2024);
        float[] x = randomValues(random, Math.multiplyExact(k, m), 1.0);
        float[] w1 = randomValues(random, Math.multiplyExact(n, k), 1.0 / Math.sqrt(k));
        float[] w2 = randomValues(random, n * k, 1.0 / Math.sqrt(k));

        System.out.printf(Locale.ROOT, "ane4j demo: linear layer y[1,%d,%d] = W[1,%d,%d] · x[1,%d,1,%d], dynamic weights%n",
                n, m, n, k, k, m);
        boolean pass;
        try (Ane ane = Ane.open()) {
            System.out.printf("backend        %s%n", ane.backendName());
            MilProgram program = MilProgram.parse(MIL.formatted(k, n, m));

            long t0 = System.nanoTime();
            try (Kernel kernel = ane.compileDynamic(program, 1)) {
                double compileMs = (System.nanoTime() - t0) / 1e6;
                System.out.printf(Locale.ROOT, "compile        %.1f ms, the first in this JVM (compiles so far: %d)%n",
                        compileMs, ane.compileCount());

                kernel.input(0).write(x);
                kernel.weight(0).write(w1);
                kernel.eval();
                pass = check("first weights ", kernel.output(0).readFloats(), w1, x, n, k, m, "");

                kernel.weight(0).write(w2);
                kernel.eval();
                pass &= check("new weights   ", kernel.output(0).readFloats(), w2, x, n, k, m,
                        ", no recompile (compiles so far: " + ane.compileCount() + ")");

                Timing eval = Timing.of(runs, kernel::eval);
                Timing write = Timing.of(runs, () -> kernel.weight(0).write(w2));

                System.out.printf(Locale.ROOT, "eval           %.1f µs mean, %.1f µs median over %d runs (%.2f GFLOP/s at the median)%n",
                        eval.meanUs(), eval.medianUs(), runs, 2.0 * n * k * m / (eval.medianUs() * 1e3));
                System.out.printf(Locale.ROOT, "weight write   %.1f µs mean, %.1f µs median over %d writes (%d floats -> fp16)%n",
                        write.meanUs(), write.medianUs(), runs, n * k);
            }
        }
        System.out.println(pass ? "PASS" : "FAIL");
        if (!pass) System.exit(1);
    }

    /** Wall-clock times of repeated calls; the median shrugs off the odd descheduled run on a busy machine. */
    private record Timing(double meanUs, double medianUs) {
        static Timing of(int runs, Runnable call) {
            long warmUpEnd = System.nanoTime() + 300_000_000L; // 0.3 s for the JIT to compile the Java side
            for (int i = 0; i < 3 || System.nanoTime() < warmUpEnd; i++) call.run();
            long[] ns = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                call.run();
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            double median = runs % 2 == 1 ? ns[runs / 2] : (ns[runs / 2 - 1] + ns[runs / 2]) / 2.0;
            return new Timing(Arrays.stream(ns).average().orElse(0) / 1e3, median / 1e3);
        }
    }

    /** Compares y with a double-precision matmul of the fp16-rounded W and x, and prints the verdict. */
    private static boolean check(String label, float[] y, float[] w, float[] x, int n, int k, int m, String note) {
        double maxError = 0, maxAbs = 0;
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < m; col++) {
                double sum = 0;
                for (int i = 0; i < k; i++) sum += (double) fp16Rounded(w[row * k + i]) * fp16Rounded(x[i * m + col]);
                maxAbs = Math.max(maxAbs, Math.abs(sum));
                double error = Math.abs(y[row * m + col] - sum);
                maxError = Double.isNaN(error) ? Double.POSITIVE_INFINITY : Math.max(maxError, error);
            }
        }
        double tolerance = TOLERANCE * maxAbs;
        boolean ok = maxError <= tolerance;
        System.out.printf(Locale.ROOT, "%s %s max |error| %.2e vs Java matmul, tolerance %.2e%s%n",
                label, ok ? "PASS" : "FAIL", maxError, tolerance, note);
        return ok;
    }

    private static float fp16Rounded(float v) { return Float.float16ToFloat(Float.floatToFloat16(v)); }

    private static float[] randomValues(SplittableRandom random, int count, double scale) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) (random.nextDouble(-1, 1) * scale);
        return values;
    }

    private static int arg(String[] args, int index, int fallback) {
        if (args.length <= index) return fallback;
        try {
            int v = Integer.parseInt(args[index]);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // fall through to the usage message
        }
        System.err.println("usage: Demo [K N M [runs]] with positive integers; got '" + args[index] + "'");
        System.exit(2);
        return fallback;
    }
}
