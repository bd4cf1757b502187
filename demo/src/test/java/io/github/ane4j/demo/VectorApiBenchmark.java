package io.github.ane4j.demo;

import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the demo's Vector API loops against the same maths in plain scalar loops, at the default
 * model's sizes (dim 64, hidden 192, heads 4, seq 64), and prints each pair's ratio. Rounds of the two
 * alternate, so a busy machine slows both alike; the median round counts. Not a test. Run with
 * <pre>
 * mvn -f demo/pom.xml test-compile -q &amp;&amp; java --add-modules jdk.incubator.vector \
 *     -cp demo/target/test-classes:demo/target/classes io.github.ane4j.demo.VectorApiBenchmark
 * </pre>
 */
final class VectorApiBenchmark {
    private static final int DIM = 64, HIDDEN = 192, HEADS = 4, SEQ = 64, ROUNDS = 15;
    private static final long ROUND_NANOS = 200_000_000L;

    public static void main(String[] args) {
        SplitMix64 random = new SplitMix64(1);
        float[] w = GradientCheck.random(random, HIDDEN * DIM, 0.1), x = GradientCheck.random(random, DIM * SEQ, 1);
        float[] y = GradientCheck.random(random, HIDDEN * SEQ, 1), dw = new float[HIDDEN * DIM], dx = new float[DIM * SEQ];
        float[] q = GradientCheck.random(random, DIM * SEQ, 1), k = GradientCheck.random(random, DIM * SEQ, 1);
        float[] v = GradientCheck.random(random, DIM * SEQ, 1), out = new float[DIM * SEQ], p = new float[HEADS * SEQ * SEQ];
        float[] dq = new float[DIM * SEQ], dk = new float[DIM * SEQ], dv = new float[DIM * SEQ];
        float[] h3 = GradientCheck.random(random, HIDDEN * SEQ, 1), g = new float[HIDDEN * SEQ];
        float[] dh1 = new float[HIDDEN * SEQ], dh3 = new float[HIDDEN * SEQ];
        int headDim = DIM / HEADS;

        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "[dim 64, hidden 192, heads 4, seq 64]", "scalar µs", "Vector µs", "ratio");
        compare("W·x [hidden][dim]", () -> Scalar.forward(y, w, x, HIDDEN, DIM, SEQ), () -> Linear.forward(y, w, x, HIDDEN, DIM, SEQ));
        compare("dx += Wᵀ·dy", () -> Scalar.addInputGradient(dx, w, y, HIDDEN, DIM, SEQ),
                () -> Linear.addInputGradient(dx, w, y, HIDDEN, DIM, SEQ));
        compare("dW += dy·xᵀ", () -> Scalar.addWeightGradient(dw, y, x, HIDDEN, DIM, SEQ),
                () -> Linear.addWeightGradient(dw, y, x, HIDDEN, DIM, SEQ));
        compare("attention forward + backward", () -> {
            Scalar.attentionForward(out, p, q, k, v, HEADS, headDim, SEQ);
            Scalar.attentionBackward(dq, dk, dv, out, p, q, k, v, HEADS, headDim, SEQ);
        }, () -> {
            CausalAttention.forward(out, p, q, k, v, HEADS, headDim, SEQ);
            CausalAttention.backward(dq, dk, dv, out, p, q, k, v, HEADS, headDim, SEQ);
        });
        compare("SwiGLU forward + backward", () -> {
            Scalar.swigluForward(g, y, h3);
            Scalar.swigluBackward(dh1, dh3, g, y, h3);
        }, () -> {
            SwiGlu.forward(g, y, h3, g.length);
            SwiGlu.backward(dh1, dh3, g, y, h3, g.length);
        });
    }

    private static void compare(String name, Runnable scalar, Runnable vector) {
        double[] scalarUs = new double[ROUNDS], vectorUs = new double[ROUNDS];
        for (int round = -3; round < ROUNDS; round++) { // three rounds of warm-up
            double s = microsPerCall(scalar), v = microsPerCall(vector);
            if (round >= 0) {
                scalarUs[round] = s;
                vectorUs[round] = v;
            }
        }
        double s = median(scalarUs), v = median(vectorUs);
        System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %7.2fx%n", name, s, v, s / v);
    }

    private static double microsPerCall(Runnable call) {
        long start = System.nanoTime(), calls = 0;
        do {
            call.run();
            calls++;
        } while (System.nanoTime() - start < ROUND_NANOS);
        return (System.nanoTime() - start) / 1e3 / calls;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The baselines: the same maths in the plainest scalar loops, innermost along contiguous memory. */
    private static final class Scalar {
        static void forward(float[] y, float[] w, float[] x, int out, int in, int seq) {
            Arrays.fill(y, 0, out * seq, 0f);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    float wv = w[o * in + i];
                    for (int t = 0; t < seq; t++) y[o * seq + t] += wv * x[i * seq + t];
                }
            }
        }

        static void addInputGradient(float[] dx, float[] w, float[] dy, int out, int in, int seq) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    float wv = w[o * in + i];
                    for (int t = 0; t < seq; t++) dx[i * seq + t] += wv * dy[o * seq + t];
                }
            }
        }

        static void addWeightGradient(float[] dw, float[] dy, float[] x, int out, int in, int seq) {
            float[] xt = new float[seq * in];
            for (int i = 0; i < in; i++) for (int t = 0; t < seq; t++) xt[t * in + i] = x[i * seq + t];
            for (int o = 0; o < out; o++) {
                for (int t = 0; t < seq; t++) {
                    float g = dy[o * seq + t];
                    for (int i = 0; i < in; i++) dw[o * in + i] += g * xt[t * in + i];
                }
            }
        }

        /** p[h][t][s], row t (query). */
        static void attentionForward(float[] out, float[] p, float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
            float scale = (float) (1.0 / Math.sqrt(headDim));
            Arrays.fill(p, 0f);
            for (int h = 0; h < heads; h++) {
                int head = h * seq * seq;
                for (int d = 0; d < headDim; d++) {
                    int row = (h * headDim + d) * seq;
                    for (int t = 0; t < seq; t++) {
                        float qv = q[row + t] * scale;
                        for (int s = 0; s <= t; s++) p[head + t * seq + s] += qv * k[row + s];
                    }
                }
                for (int t = 0; t < seq; t++) {
                    int from = head + t * seq;
                    float max = Float.NEGATIVE_INFINITY, sum = 0;
                    for (int s = 0; s <= t; s++) max = Math.max(max, p[from + s]);
                    for (int s = 0; s <= t; s++) sum += p[from + s] = (float) Math.exp(p[from + s] - max);
                    for (int s = 0; s <= t; s++) p[from + s] /= sum;
                }
                for (int d = 0; d < headDim; d++) {
                    int row = (h * headDim + d) * seq;
                    for (int t = 0; t < seq; t++) {
                        float sum = 0;
                        for (int s = 0; s <= t; s++) sum += p[head + t * seq + s] * v[row + s];
                        out[row + t] = sum;
                    }
                }
            }
        }

        static void attentionBackward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p,
                                      float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
            float scale = (float) (1.0 / Math.sqrt(headDim));
            Arrays.fill(dk, 0f);
            Arrays.fill(dv, 0f);
            float[] ds = new float[seq * seq];
            for (int h = 0; h < heads; h++) {
                int head = h * seq * seq;
                Arrays.fill(ds, 0f);
                for (int d = 0; d < headDim; d++) {
                    int row = (h * headDim + d) * seq;
                    for (int t = 0; t < seq; t++) {
                        float g = dout[row + t];
                        for (int s = 0; s <= t; s++) {
                            ds[t * seq + s] += g * v[row + s];
                            dv[row + s] += p[head + t * seq + s] * g;
                        }
                    }
                }
                for (int t = 0; t < seq; t++) {
                    float dot = 0;
                    for (int s = 0; s <= t; s++) dot += p[head + t * seq + s] * ds[t * seq + s];
                    for (int s = 0; s <= t; s++) ds[t * seq + s] = p[head + t * seq + s] * (ds[t * seq + s] - dot) * scale;
                }
                for (int d = 0; d < headDim; d++) {
                    int row = (h * headDim + d) * seq;
                    for (int t = 0; t < seq; t++) {
                        float qv = q[row + t], sum = 0;
                        for (int s = 0; s <= t; s++) {
                            sum += ds[t * seq + s] * k[row + s];
                            dk[row + s] += ds[t * seq + s] * qv;
                        }
                        dq[row + t] = sum;
                    }
                }
            }
        }

        static void swigluForward(float[] g, float[] h1, float[] h3) {
            for (int i = 0; i < g.length; i++) g[i] = (float) (h1[i] / (1 + Math.exp(-h1[i]))) * h3[i];
        }

        static void swigluBackward(float[] dh1, float[] dh3, float[] dg, float[] h1, float[] h3) {
            for (int i = 0; i < dg.length; i++) {
                float s = (float) (1 / (1 + Math.exp(-h1[i])));
                dh1[i] = dg[i] * h3[i] * s * (1 + h1[i] * (1 - s));
                dh3[i] = dg[i] * h1[i] * s;
            }
        }
    }
}
