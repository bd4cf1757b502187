package io.github.ane4j.kernels;

import io.github.ane4j.Ane;
import io.github.ane4j.Backend;
import io.github.ane4j.DType;
import io.github.ane4j.Kernel;
import io.github.ane4j.mil.AneFinding;
import io.github.ane4j.mil.MilBuilder.WeightLayout;
import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every training kernel on the reference backend: in fp16 against the same maths in double precision
 * ({@link KernelMaths}), within a tolerance that allows for fp16 rounding after every op; every backward
 * kernel in fp32 also against central finite differences of its forward kernel; and the packed weight
 * layout against the parameter layout, bit for bit.
 *
 * <p>Tolerances are fractions of the largest expected magnitude of the output. fp16 keeps 11 significant
 * bits (unit roundoff u = 2^-11 ≈ 4.9e-4) and these kernels round after every op: {@link #SHORT} = 4u for
 * projections and RMSNorm (measured at most 4.1e-4), {@link #LONG} = 8u for attention, the FFN and the
 * gradients, whose chains are longer (measured at most 9.0e-4). A 1 % error in one term of a formula
 * exceeds them.
 */
class TransformerKernelsTest {
    static final TransformerDims DIMS = new TransformerDims(8, 16, 2, 4, 11);
    static final int D = DIMS.dim(), H = DIMS.hidden(), S = DIMS.seq(), V = DIMS.vocab();
    static final TransformerKernels FP16 = TransformerKernels.of(DIMS);
    static final TransformerKernels FP32 = new TransformerKernels(DIMS, DType.FP32, WeightLayout.PARAMETERS);

    /** Allowed error of the short kernels, as a fraction of the largest output: 4 fp16 roundoffs. */
    static final double SHORT = 4 * 0x1p-11;
    /** Allowed error of the kernels with long chains: 8 fp16 roundoffs. */
    static final double LONG = 8 * 0x1p-11;

    static Ane ane;
    private final Random random = new Random(20261206);

    @BeforeAll
    static void open() { ane = Ane.open(Backend.REFERENCE); }

    @AfterAll
    static void close() { ane.close(); }

    // ---- forward kernels against double maths --------------------------------------------------------

    @Test
    void rmsNormMatchesTheMaths() {
        Map<String, double[]> in = inputs("x", D * S, 1.5, "w", D, 1.0);
        double[] want = KernelMaths.rmsNorm(in.get("x"), in.get("w"), D, S);
        assertClose("y", want, run(FP16.rmsNorm(), in)[0], SHORT);
    }

    @Test
    void qkvMatchesTheMaths() {
        Map<String, double[]> in = inputs("xn", D * S, 1, "wq", D * D, scale(D), "wk", D * D, scale(D), "wv", D * D, scale(D));
        double[][] got = run(FP16.qkv(), in);
        String[] names = {"wq", "wk", "wv"};
        for (int i = 0; i < 3; i++) {
            assertClose(names[i] + "·xn", KernelMaths.project(in.get(names[i]), in.get("xn"), D, D, S), got[i], SHORT);
        }
    }

    @Test
    void attentionMatchesTheMaths() {
        Map<String, double[]> in = inputs("q", D * S, 1.5, "k", D * S, 1.5, "v", D * S, 1);
        double[] want = KernelMaths.attention(in.get("q"), in.get("k"), in.get("v"), DIMS);
        assertClose("a", want, run(FP16.attention(), in)[0], LONG);
    }

    @Test
    void attentionSdpaMatchesTheMaths() {
        Map<String, double[]> in = inputs("q", D * S, 1.5, "k", D * S, 1.5, "v", D * S, 1);
        double[] want = KernelMaths.attention(in.get("q"), in.get("k"), in.get("v"), DIMS);
        assertClose("a", want, run(FP16.attentionSdpa(), in)[0], LONG);
    }

    @Test
    void linearMatchesTheMaths() {
        Map<String, double[]> in = inputs("x", D * S, 1, "w", V * D, scale(D));
        assertClose("W·x", KernelMaths.project(in.get("w"), in.get("x"), V, D, S), run(FP16.classifier(), in)[0], SHORT);
    }

    @Test
    void ffnMatchesTheMaths() {
        Map<String, double[]> in = inputs("xn", D * S, 1, "w1", H * D, scale(D), "w3", H * D, scale(D), "w2", D * H, scale(H));
        double[][] want = KernelMaths.ffn(in.get("xn"), in.get("w1"), in.get("w3"), in.get("w2"), D, H, S);
        double[][] got = run(FP16.ffn(), in);
        String[] names = {"f", "h1", "h3"};
        for (int i = 0; i < 3; i++) assertClose(names[i], want[i], got[i], LONG);
    }

    // ---- backward kernels against double maths -------------------------------------------------------

    @Test
    void rmsNormBackwardMatchesTheMaths() {
        Map<String, double[]> in = inputs("dy", D * S, 1, "x", D * S, 1.5, "w", D, 1);
        double[] want = KernelMaths.rmsNormBackward(in.get("dy"), in.get("x"), in.get("w"), D, S);
        assertClose("dx", want, run(FP16.rmsNormBackward(), in)[0], LONG);
    }

    @Test
    void qkvBackwardMatchesTheMaths() {
        Map<String, double[]> in = inputs("dq", D * S, 1, "dk", D * S, 1, "dv", D * S, 1,
                "wq", D * D, scale(D), "wk", D * D, scale(D), "wv", D * D, scale(D));
        double[] want = new double[D * S];
        for (String[] pair : new String[][] {{"wq", "dq"}, {"wk", "dk"}, {"wv", "dv"}}) {
            double[] part = KernelMaths.projectBack(in.get(pair[0]), in.get(pair[1]), D, D, S);
            for (int i = 0; i < want.length; i++) want[i] += part[i];
        }
        assertClose("dxn", want, run(FP16.qkvBackward(), in)[0], SHORT);
    }

    @Test
    void attentionBackwardHalvesMatchTheMaths() {
        Map<String, double[]> in = inputs("q", D * S, 1.5, "k", D * S, 1.5, "v", D * S, 1, "da", D * S, 1);
        double[][] want = KernelMaths.attentionBackward(in.get("q"), in.get("k"), in.get("v"), in.get("da"), DIMS);
        double[][] first = run(FP16.attentionBackward1(), in);
        assertClose("dv", want[2], first[0], LONG);
        assertClose("p", want[3], first[1], LONG);
        assertClose("dp", want[4], first[2], LONG);
        Map<String, double[]> in2 = new LinkedHashMap<>();
        in2.put("p", first[1]);
        in2.put("dp", first[2]);
        in2.put("q", in.get("q"));
        in2.put("k", in.get("k"));
        double[][] second = run(FP16.attentionBackward2(), in2);
        assertClose("dq", want[0], second[0], LONG);
        assertClose("dk", want[1], second[1], LONG);
    }

    @Test
    void linearBackwardMatchesTheMaths() {
        Map<String, double[]> in = inputs("dy", V * S, 1, "w", V * D, scale(D));
        assertClose("Wᵀ·dy", KernelMaths.projectBack(in.get("w"), in.get("dy"), V, D, S), run(FP16.classifierBackward(), in)[0], SHORT);
    }

    @Test
    void ffnBackwardMatchesTheMaths() {
        Map<String, double[]> in = inputs("df", D * S, 1, "h1", H * S, 2, "h3", H * S, 2,
                "w1", H * D, scale(D), "w3", H * D, scale(D), "w2", D * H, scale(H));
        double[][] want = KernelMaths.ffnBackward(in.get("df"), in.get("h1"), in.get("h3"), in.get("w1"), in.get("w3"), in.get("w2"), D, H, S);
        double[][] got = run(FP16.ffnBackward(), in);
        String[] names = {"dxn", "dh1", "dh3"};
        for (int i = 0; i < 3; i++) assertClose(names[i], want[i], got[i], LONG);
    }

    // ---- backward kernels against finite differences of their forward (fp32) ------------------------

    @Test
    void rmsNormBackwardIsTheGradientOfRmsNorm() {
        Map<String, double[]> in = inputs("x", D * S, 1.5, "w", D, 1);
        double[] dy = values(D * S, 1);
        Map<String, double[]> back = new LinkedHashMap<>(Map.of("dy", dy));
        back.put("x", in.get("x"));
        back.put("w", in.get("w"));
        double[] analytic = run(FP32.rmsNormBackward(), back)[0];
        assertGradient("dx", analytic, numericGradient(FP32.rmsNorm(), in, "x", List.of(dy)));
    }

    @Test
    void qkvBackwardIsTheGradientOfQkv() {
        Map<String, double[]> in = inputs("xn", D * S, 1, "wq", D * D, scale(D), "wk", D * D, scale(D), "wv", D * D, scale(D));
        List<double[]> dy = List.of(values(D * S, 1), values(D * S, 1), values(D * S, 1));
        Map<String, double[]> back = new LinkedHashMap<>();
        back.put("dq", dy.get(0));
        back.put("dk", dy.get(1));
        back.put("dv", dy.get(2));
        for (String w : List.of("wq", "wk", "wv")) back.put(w, in.get(w));
        assertGradient("dxn", run(FP32.qkvBackward(), back)[0], numericGradient(FP32.qkv(), in, "xn", dy));
    }

    @Test
    void attentionBackwardIsTheGradientOfAttention() {
        Map<String, double[]> in = inputs("q", D * S, 1.5, "k", D * S, 1.5, "v", D * S, 1);
        double[] da = values(D * S, 1);
        Map<String, double[]> back1 = new LinkedHashMap<>(in);
        back1.put("da", da);
        double[][] first = run(FP32.attentionBackward1(), back1);
        Map<String, double[]> back2 = new LinkedHashMap<>();
        back2.put("p", first[1]);
        back2.put("dp", first[2]);
        back2.put("q", in.get("q"));
        back2.put("k", in.get("k"));
        double[][] second = run(FP32.attentionBackward2(), back2);
        MilProgram forward = FP32.attention();
        assertGradient("dq", second[0], numericGradient(forward, in, "q", List.of(da)));
        assertGradient("dk", second[1], numericGradient(forward, in, "k", List.of(da)));
        assertGradient("dv", first[0], numericGradient(forward, in, "v", List.of(da)));
    }

    @Test
    void linearBackwardIsTheGradientOfLinear() {
        Map<String, double[]> in = inputs("x", D * S, 1, "w", V * D, scale(D));
        double[] dy = values(V * S, 1);
        Map<String, double[]> back = new LinkedHashMap<>(Map.of("dy", dy));
        back.put("w", in.get("w"));
        assertGradient("dx", run(FP32.classifierBackward(), back)[0], numericGradient(FP32.classifier(), in, "x", List.of(dy)));
    }

    @Test
    void ffnBackwardIsTheGradientOfFfn() {
        Map<String, double[]> in = inputs("xn", D * S, 1, "w1", H * D, scale(D), "w3", H * D, scale(D), "w2", D * H, scale(H));
        double[][] forward = run(FP32.ffn(), in);
        double[] df = values(D * S, 1);
        Map<String, double[]> back = new LinkedHashMap<>();
        back.put("df", df);
        back.put("h1", forward[1]);
        back.put("h3", forward[2]);
        for (String w : List.of("w1", "w3", "w2")) back.put(w, in.get(w));
        // Only f depends on the loss here: zero cotangents for the h1 and h3 taps.
        List<double[]> dy = List.of(df, new double[H * S], new double[H * S]);
        assertGradient("dxn", run(FP32.ffnBackward(), back)[0], numericGradient(FP32.ffn(), in, "xn", dy));
    }

    // ---- layouts, round trip, ANE validation ---------------------------------------------------------

    /** The packed layout computes exactly what the parameter layout computes. */
    @TestFactory
    Stream<DynamicTest> packedLayoutGivesTheSameOutputsAsParameters() {
        TransformerKernels packed = new TransformerKernels(DIMS, DType.FP16, WeightLayout.PACKED);
        Map<String, MilProgram> plain = FP16.all();
        return packed.all().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            MilProgram p = plain.get(e.getKey());
            Map<String, double[]> in = new LinkedHashMap<>();
            for (var spec : p.parameters()) in.put(spec.name(), values((int) spec.elementCount(), 1));
            assertTrue(p.packedRegions().isEmpty());
            double[][] a = run(p, in), b = run(e.getValue(), in);
            for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "output " + i);
        }));
    }

    @Test
    void kernelsDeclareTheParametersAndOutputsTheirJavadocLists() {
        Map<String, String> signatures = new LinkedHashMap<>();
        signatures.put("rmsNorm", "[x, w] -> [y]");
        signatures.put("qkv", "[xn, wq, wk, wv] -> [q, k, v]");
        signatures.put("attention", "[q, k, v] -> [a]");
        signatures.put("attentionSdpa", "[q, k, v] -> [a]");
        signatures.put("outputProjection", "[x, w] -> [y]");
        signatures.put("ffn", "[xn, w1, w3, w2] -> [f, h1, h3]");
        signatures.put("classifier", "[x, w] -> [y]");
        signatures.put("classifierBackward", "[dy, w] -> [dx]");
        signatures.put("rmsNormBackward", "[dy, x, w] -> [dx]");
        signatures.put("ffnBackward", "[df, h1, h3, w1, w3, w2] -> [dxn, dh1, dh3]");
        signatures.put("outputProjectionBackward", "[dy, w] -> [dx]");
        signatures.put("attentionBackward1", "[q, k, v, da] -> [dv, p, dp]");
        signatures.put("attentionBackward2", "[p, dp, q, k] -> [dq, dk]");
        signatures.put("qkvBackward", "[dq, dk, dv, wq, wk, wv] -> [dxn]");
        Map<String, String> actual = new LinkedHashMap<>();
        FP16.all().forEach((name, p) -> actual.put(name, p.parameters().stream().map(t -> t.name()).toList() + " -> "
                + p.outputs().stream().map(t -> t.name()).toList()));
        assertEquals(signatures, actual);
    }

    @Test
    void bakedWeightsComputeWhatTheSameWeightsAsParametersCompute() {
        MilProgram dynamic = FP16.ffn();
        Map<String, double[]> in = inputs("xn", D * S, 1, "w1", H * D, scale(D), "w3", H * D, scale(D), "w2", D * H, scale(H));
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (String w : List.of("w1", "w3", "w2")) weights.put(w, floats(in.get(w)));
        MilProgram baked = dynamic.bakeWeights(weights);
        assertEquals(List.of("xn"), baked.parameters().stream().map(t -> t.name()).toList());
        assertEquals(0, baked.weightCount());
        assertEquals(3, baked.weightFiles().size());
        double[][] want = run(dynamic, in);
        double[][] got = run(baked, Map.of("xn", in.get("xn")));
        for (int o = 0; o < want.length; o++) assertArrayEquals(want[o], got[o], "output " + o);
    }

    @Test
    void bakingRefusesMissingAndUnknownWeights() {
        MilProgram p = FP16.outputProjection();
        assertThrows(IllegalArgumentException.class, () -> p.bakeWeights(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> p.bakeWeights(Map.of("w", new float[D * D], "x", new float[D * S])));
        assertThrows(IllegalArgumentException.class, () -> p.bakeWeights(Map.of("w", new float[3])));
    }

    @Test
    void packedLinearLayerIsOneInputWithTheWeightTransposedBesideTheActivations() {
        MilProgram p = new TransformerKernels(DIMS, DType.FP16, WeightLayout.PACKED).linear(D, V);
        assertEquals(1, p.parameters().size());
        assertArrayEquals(new long[] {1, D, 1, S + V}, p.parameters().get(0).shape());
        assertEquals(0, p.weightCount());
        var w = p.packedRegions().get(1);
        assertEquals("w", w.name());
        assertTrue(w.transposed());
        assertEquals(S, w.offset());
    }

    @Test
    void everyKernelSurvivesParsePrintParseAndEvaluatesTheSame() {
        for (TransformerKernels family : List.of(FP16, new TransformerKernels(DIMS, DType.FP16, WeightLayout.PACKED))) {
            for (Map.Entry<String, MilProgram> e : family.all().entrySet()) {
                MilProgram p = e.getValue();
                MilProgram reread = MilProgram.parse(p.text());
                assertEquals(p.withWeights(0).functions(), reread.functions(), e.getKey());
                Map<String, byte[]> files = new LinkedHashMap<>();
                p.weightFiles().forEach((path, bytes) -> {
                    byte[] copy = new byte[bytes.remaining()];
                    bytes.get(copy);
                    files.put(path, copy);
                });
                Map<String, double[]> in = new LinkedHashMap<>();
                for (var spec : p.parameters()) in.put(spec.name(), values((int) spec.elementCount(), 1));
                double[][] built = run(p, in);
                try (Kernel k = ane.compile(reread, files)) {
                    for (int i = 0; i < p.parameters().size(); i++) k.write(p.parameters().get(i).name(), floats(in.get(p.parameters().get(i).name())));
                    k.eval();
                    for (int o = 0; o < built.length; o++) assertArrayEquals(built[o], doubles(k.output(o).readFloats()), e.getKey() + " output " + o);
                }
            }
        }
    }

    @Test
    void everyKernelPassesTheAneValidatorWithoutErrors() {
        for (Map.Entry<String, MilProgram> e : FP16.all().entrySet()) {
            List<AneFinding> errors = e.getValue().validateForAne().stream()
                    .filter(f -> f.severity() == AneFinding.Severity.ERROR).toList();
            assertEquals(List.of(), errors, e.getKey());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Writes every named value (rounded to the kernel's dtype by the write), evaluates, reads every output. */
    static double[][] run(MilProgram program, Map<String, double[]> inputs) {
        try (Kernel k = ane.compile(program)) {
            inputs.forEach((name, v) -> k.write(name, floats(v)));
            k.eval();
            double[][] out = new double[k.outputCount()][];
            for (int o = 0; o < out.length; o++) out[o] = doubles(k.output(o).readFloats());
            return out;
        }
    }

    /** d/d(inputs[name]) of Σ_o cotangents[o] ⊙ output o, by central differences on the fp32 kernel. */
    static double[] numericGradient(MilProgram forward, Map<String, double[]> inputs, String name, List<double[]> cotangents) {
        double h = 1e-2;
        double[] x = inputs.get(name).clone(), grad = new double[x.length];
        try (Kernel k = ane.compile(forward)) {
            inputs.forEach((n, v) -> k.write(n, floats(v)));
            Function<double[], Double> loss = at -> {
                k.write(name, floats(at));
                k.eval();
                double sum = 0;
                for (int o = 0; o < cotangents.size(); o++) {
                    float[] y = k.output(o).readFloats();
                    for (int i = 0; i < y.length; i++) sum += cotangents.get(o)[i] * y[i];
                }
                return sum;
            };
            for (int i = 0; i < x.length; i++) {
                double keep = x[i];
                x[i] = keep + h;
                double up = loss.apply(x);
                x[i] = keep - h;
                double down = loss.apply(x);
                x[i] = keep;
                grad[i] = (up - down) / (2 * h);
            }
        }
        return grad;
    }

    /** Values in [-scale, scale), already rounded to fp16 so kernel and maths start from the same numbers. */
    double[] values(int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat(Float.floatToFloat16((float) ((random.nextDouble() * 2 - 1) * scale)));
        return v;
    }

    /** Named inputs from (name, count, scale) triples. */
    Map<String, double[]> inputs(Object... spec) {
        Map<String, double[]> in = new LinkedHashMap<>();
        for (int i = 0; i < spec.length; i += 3) in.put((String) spec[i], values((Integer) spec[i + 1], ((Number) spec[i + 2]).doubleValue()));
        return in;
    }

    /** The usual initial scale of a weight with {@code fanIn} inputs. */
    static double scale(int fanIn) { return 1 / Math.sqrt(fanIn); }

    static void assertClose(String what, double[] want, double[] got, double tolerance) {
        assertEquals(want.length, got.length, what + " length");
        double max = 0, err = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            err = Math.max(err, Math.abs(want[i] - got[i]));
        }
        double relative = err / Math.max(max, 1e-30);
        assertTrue(relative <= tolerance, what + ": largest error " + err + " is " + relative + " of the largest value " + max
                + ", allowed " + tolerance);
    }

    /** fp32 kernels against central differences with h = 1e-2: truncation O(h²) and fp32 rounding / h. */
    static void assertGradient(String what, double[] analytic, double[] numeric) {
        assertClose(what + " (analytic vs finite differences)", numeric, analytic, 2e-3);
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
