package io.github.ane4j.mil;

import io.github.ane4j.Ane;
import io.github.ane4j.Backend;
import io.github.ane4j.DType;
import io.github.ane4j.Kernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.github.ane4j.DType.FP16;
import static io.github.ane4j.DType.FP32;
import static io.github.ane4j.DType.INT32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MilBuilderTest {
    static Ane ane;

    @BeforeAll
    static void open() { ane = Ane.open(Backend.REFERENCE); }

    @AfterAll
    static void close() { ane.close(); }

    // ---- Java's inferred types agree with the native compiler ----------------------------------------

    /** One op (or a few) per case: the shape written down by hand, then the native compile of the program
     *  built around it, which fails when the declared types disagree with the compiler's inference. */
    @TestFactory
    Stream<DynamicTest> everyOpInfersTheTypeTheNativeCompilerInfers() {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("add broadcasting [2,3] + [3]", new Case(b -> b.add(in(b, "a", 2, 3), in(b, "c", 3)), 2, 3));
        cases.put("sub broadcasting [2,1,4] - [3,1]", new Case(b -> b.sub(in(b, "a", 2, 1, 4), in(b, "c", 3, 1)), 2, 3, 4));
        cases.put("mul by a scalar constant", new Case(b -> b.mul(in(b, "a", 4, 5), 0.5), 4, 5));
        cases.put("real_div [1] / [2,2]", new Case(b -> b.realDiv(in(b, "a", 1), in(b, "c", 2, 2)), 2, 2));
        cases.put("pow by -0.5", new Case(b -> b.pow(b.add(in(b, "a", 3), 2.0), -0.5), 3));
        cases.put("maximum / minimum", new Case(b -> b.minimum(b.maximum(in(b, "a", 2, 3), in(b, "c", 2, 1)), in(b, "d", 3)), 2, 3));
        cases.put("scalar minus tensor", new Case(b -> b.sub(1.0, in(b, "a", 3, 2)), 3, 2));
        cases.put("int32 add", new Case(b -> b.cast(b.add(b.cast(in(b, "a", 4), ElementType.INT32), b.constant(INT32, new long[] {4}, 1, 2, 3, 4)), ElementType.FP16), 4));
        for (String op : List.of("relu", "tanh", "exp", "sqrt", "sigmoid", "silu", "rsqrt", "gelu", "identity")) {
            cases.put(op, new Case(b -> unary(b, op, in(b, "a", 2, 8)), 2, 8));
        }
        cases.put("rsqrt with epsilon", new Case(b -> b.rsqrt(in(b, "a", 5), 1e-5), 5));
        for (MilBuilder.GeluMode mode : MilBuilder.GeluMode.values()) {
            cases.put("gelu " + mode, new Case(b -> b.gelu(in(b, "a", 3), mode), 3));
        }
        cases.put("cast fp16 -> fp32 -> fp16", new Case(b -> b.cast(b.cast(in(b, "a", 2, 2), ElementType.FP32), ElementType.FP16), 2, 2));
        cases.put("reshape with -1 and 0", new Case(b -> b.reshape(in(b, "a", 2, 3, 4), 0, -1, 2), 2, 6, 2));
        cases.put("transpose with a negative axis", new Case(b -> b.transpose(in(b, "a", 2, 3, 4), 0, -1, 1), 2, 4, 3));
        cases.put("slice_by_size from the end, -1 size", new Case(b -> b.sliceBySize(in(b, "a", 4, 6), new long[] {-3, 2}, new long[] {2, -1}), 2, 4));
        cases.put("slice_by_index with stride 2", new Case(b -> b.sliceByIndex(in(b, "a", 5, 7), new long[] {0, 1}, new long[] {5, 7},
                new long[] {2, 3}, null, null, null), 3, 2));
        cases.put("slice_by_index reversed with masks", new Case(b -> b.sliceByIndex(in(b, "a", 5, 7), new long[] {0, 0}, new long[] {0, 0},
                new long[] {-1, 1}, new boolean[] {true, true}, new boolean[] {true, true}, null), 5, 7));
        cases.put("slice_by_index squeezing an axis", new Case(b -> b.sliceByIndex(in(b, "a", 5, 7), new long[] {2, 1}, new long[] {3, 4},
                null, null, null, new boolean[] {true, false}), 3));
        cases.put("concat on the last axis", new Case(b -> b.concat(-1, in(b, "a", 2, 3), in(b, "c", 2, 5), in(b, "d", 2, 1)), 2, 9));
        cases.put("concat interleaved", new Case(b -> b.concat(1, true, in(b, "a", 2, 3), in(b, "c", 2, 3)), 2, 6));
        cases.put("split in equal pieces", new Case(b -> b.split(in(b, "a", 6, 4), 0, 3).get(2), 2, 4));
        cases.put("split by sizes", new Case(b -> b.split(in(b, "a", 6, 4), -1, 1, 3).get(1), 6, 3));
        cases.put("gather with constant indices", new Case(b -> b.gather(in(b, "a", 5, 3), b.constant(INT32, new long[] {2, 2}, 4, 0, -1, 2), 0), 2, 2, 3));
        cases.put("gather with runtime indices", new Case(b -> b.gather(in(b, "a", 5, 3), b.input("idx", INT32, 4), 1), 5, 4));
        cases.put("band_part lower triangle", new Case(b -> b.bandPart(in(b, "a", 2, 4, 4), -1, 0), 2, 4, 4));
        cases.put("matmul vector @ vector", new Case(b -> b.reshape(b.matmul(in(b, "a", 4), in(b, "c", 4)), 1), 1));
        cases.put("matmul vector @ matrix", new Case(b -> b.matmul(in(b, "a", 4), in(b, "c", 4, 3)), 3));
        cases.put("matmul matrix @ vector", new Case(b -> b.matmul(in(b, "a", 2, 4), in(b, "c", 4)), 2));
        cases.put("matmul batch broadcast", new Case(b -> b.matmul(in(b, "a", 2, 1, 3, 4), in(b, "c", 5, 4, 6)), 2, 5, 3, 6));
        cases.put("matmul transposes", new Case(b -> b.matmul(in(b, "a", 1, 4, 3), in(b, "c", 1, 5, 4), true, true), 1, 3, 5));
        cases.put("linear with bias", new Case(b -> b.linear(in(b, "a", 2, 3, 4), b.constant(FP16, new long[] {5, 4}, ramp(20)),
                b.constant(FP16, new long[] {5}, ramp(5))), 2, 3, 5));
        cases.put("conv 1x1 over [1, C, 1, S]", new Case(b -> b.conv(in(b, "a", 1, 4, 1, 8), b.constant(FP16, new long[] {3, 4, 1, 1}, ramp(12))), 1, 3, 1, 8));
        cases.put("conv 1-D stride 2, custom pads, dilation 2", new Case(b -> b.conv(in(b, "a", 1, 2, 9), b.constant(FP16, new long[] {3, 2, 3}, ramp(18)),
                MilBuilder.Conv.DEFAULTS.withStrides(2).withPad(1, 2).withDilations(2)), 1, 3, 4));
        cases.put("conv 2-D same padding, groups, bias", new Case(b -> b.conv(in(b, "a", 1, 4, 5, 5), b.constant(FP16, new long[] {6, 2, 3, 3}, ramp(108)),
                MilBuilder.Conv.DEFAULTS.withPadType(MilBuilder.PadType.SAME).withStrides(2, 2).withGroups(2).withBias(b.constant(FP16, new long[] {6}, ramp(6)))), 1, 6, 3, 3));
        cases.put("conv 2-D same_lower", new Case(b -> b.conv(in(b, "a", 1, 1, 4, 4), b.constant(FP16, new long[] {1, 1, 2, 2}, ramp(4)),
                MilBuilder.Conv.DEFAULTS.withPadType(MilBuilder.PadType.SAME_LOWER)), 1, 1, 4, 4));
        cases.put("sdpa without mask", new Case(b -> b.scaledDotProductAttention(in(b, "q", 1, 2, 3, 4), in(b, "k", 1, 2, 5, 4), in(b, "v", 1, 2, 5, 6)), 1, 2, 3, 6));
        cases.put("sdpa with a broadcast float mask", new Case(b -> b.scaledDotProductAttention(in(b, "q", 1, 2, 3, 4), in(b, "k", 1, 2, 5, 4),
                in(b, "v", 1, 2, 5, 6), in(b, "m", 3, 5)), 1, 2, 3, 6));
        cases.put("sdpa with a bool mask", new Case(b -> b.scaledDotProductAttention(in(b, "q", 1, 3, 4), in(b, "k", 1, 3, 4),
                in(b, "v", 1, 3, 4), b.cast(in(b, "m", 1, 3, 3), ElementType.BOOL)), 1, 3, 4));
        cases.put("softmax on axis 1", new Case(b -> b.softmax(in(b, "a", 1, 6, 1, 3), 1), 1, 6, 1, 3));
        cases.put("reduce_sum keeping dims", new Case(b -> b.reduceSum(in(b, "a", 1, 6, 1, 3), true, 1), 1, 1, 1, 3));
        cases.put("reduce_mean dropping dims", new Case(b -> b.reduceMean(in(b, "a", 2, 6, 3), false, 0, -1), 6));
        cases.put("reduce_max over every axis", new Case(b -> b.reshape(b.reduceMax(in(b, "a", 2, 3), false), 1), 1));
        cases.put("layer_norm with gamma and beta", new Case(b -> b.layerNorm(in(b, "a", 2, 3, 4), new int[] {-2, -1},
                b.constant(FP16, new long[] {3, 4}, ramp(12)), b.constant(FP16, new long[] {3, 4}, ramp(12)), 1e-5), 2, 3, 4));
        cases.put("layer_norm over every axis", new Case(b -> b.layerNorm(in(b, "a", 2, 3), new int[0], null, null, 1e-3), 2, 3));
        cases.put("quantize / dequantize per tensor", new Case(b -> b.dequantize(b.quantize(in(b, "a", 2, 4), b.scalar(FP16, 0.125), null, null,
                ElementType.INT8), b.scalar(FP16, 0.125), null, null), 2, 4));
        cases.put("quantize / dequantize per axis", new Case(b -> {
            Value scale = b.constant(FP16, new long[] {4}, 0.5, 0.25, 0.125, 1);
            Value q = b.quantize(in(b, "a", 2, 4), scale, b.constant(new Literal.Numbers(MilType.tensor(ElementType.UINT8, 4), new double[] {0, 1, 2, 3})), 1, ElementType.UINT8);
            return b.dequantize(q, scale, b.constant(new Literal.Numbers(MilType.tensor(ElementType.UINT8, 4), new double[] {0, 1, 2, 3})), 1);
        }, 2, 4));
        cases.put("constexpr_affine_dequantize weight", new Case(b -> b.conv(in(b, "a", 1, 8, 1, 2), b.constexprAffineDequantize(
                new long[] {16, 8, 1, 1}, bytes(128), 0, FP16, new double[] {0.125}, new byte[] {0})), 1, 16, 1, 2));
        cases.put("large constants go to a weight file", new Case(b -> b.add(in(b, "a", 10, 10), b.constant(FP16, new long[] {10, 10}, ramp(100))), 10, 10));
        return cases.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            MilBuilder b = MilBuilder.function("main");
            Value out = e.getValue().body().apply(b);
            assertArrayEquals(e.getValue().shape(), out.shape(), "shape inferred by the builder");
            MilProgram p = b.returns(out).build();
            try (Kernel k = ane.compile(p)) {
                assertArrayEquals(e.getValue().shape(), k.output(0).spec().shape(), "output surface");
                k.eval();
            }
        }));
    }

    private record Case(Function<MilBuilder, Value> body, long... shape) {}

    private static Value in(MilBuilder b, String name, long... shape) { return b.input(name, FP16, shape); }

    private static Value unary(MilBuilder b, String op, Value x) {
        return switch (op) {
            case "relu" -> b.relu(x);
            case "tanh" -> b.tanh(x);
            case "exp" -> b.exp(x);
            case "sqrt" -> b.sqrt(x);
            case "sigmoid" -> b.sigmoid(x);
            case "silu" -> b.silu(x);
            case "rsqrt" -> b.rsqrt(x);
            case "gelu" -> b.gelu(x);
            default -> b.identity(x);
        };
    }

    private static double[] ramp(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (i % 7 - 3) * 0.25;
        return v;
    }

    private static byte[] bytes(int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) v[i] = (byte) (i % 11 - 5);
        return v;
    }

    // ---- the program the builder makes ---------------------------------------------------------------

    @Test
    void parametersComeOutActivationsFirstThenWeights() {
        MilBuilder b = MilBuilder.function("main");
        Value w1 = b.weight("w1", FP16, 3, 4);
        Value x = b.input("x", FP16, 4, 2);
        Value w2 = b.weight("w2", FP16, 3, 2);
        MilProgram p = b.returns(b.add(b.matmul(w1, x), w2)).build();
        assertEquals(List.of("x", "w1", "w2"), p.parameters().stream().map(s -> s.name()).toList());
        assertEquals(2, p.weightCount());
        assertEquals(List.of(Parameter.Role.ACTIVATION, Parameter.Role.WEIGHT, Parameter.Role.WEIGHT),
                p.main().parameters().stream().map(Parameter::role).toList());
    }

    @Test
    void compiledProgramKnowsItsWeightSurfacesAndComputes() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 1, 4, 1, 2);
        Value w = b.weight("W", FP16, 1, 3, 4);
        MilProgram p = b.returns(b.name("y", b.matmul(w, b.reshape(x, 1, 4, 2)))).build();
        try (Kernel k = ane.compile(p)) {
            assertEquals(1, k.inputCount());
            assertEquals(1, k.weightCount());
            k.weight(0).write(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1});
            k.input(0).write(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
            k.eval();
            assertArrayEquals(new float[] {1, 2, 3, 4, 12, 14}, k.output(0).readFloats());
        }
    }

    @Test
    void printedTextIsUpstreamStyle() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2, 3);
        MilProgram p = b.returns(b.name("y", b.transpose(x, 1, 0))).build();
        assertEquals("""
                program(1.3)
                [buildInfo = dict<string, string>({{"coremlc-component-MIL", "3510.2.1"}, {"coremlc-version", "3505.4.1"}, {"coremltools-component-milinternal", ""}, {"coremltools-version", "9.0"}})]
                {
                    func main<ios18>(tensor<fp16, [2, 3]> x) {
                        tensor<int32, [2]> perm = const()[name = string("perm"), val = tensor<int32, [2]>([1, 0])];
                        tensor<fp16, [3, 2]> y = transpose(perm = perm, x = x)[name = string("y")];
                    } -> (y);
                }
                """, p.text());
        assertEquals(5, p.lineOf(p.main().statements().get(0)));
        assertEquals(6, p.lineOf(p.main().statements().get(1)));
        assertEquals(p, MilProgram.parse(p.text()), "the printed text parses back to the same model");
    }

    @Test
    void equalConstantsAreShared() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2, 3);
        Value y = b.transpose(b.transpose(x, 1, 0), 1, 0);
        Value a = b.scalar(FP16, 0.5), c = b.scalar(FP16, 0.5);
        assertSame(a, c);
        MilProgram p = b.returns(b.mul(y, a)).build();
        long consts = p.main().statements().stream().filter(s -> s.op().equals("const")).count();
        assertEquals(2, consts, "one perm and one 0.5:\n" + p.text());
    }

    @Test
    void largeConstantsAreWeightFilesTheProgramCarries() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP32, 100);
        double[] values = new double[100];
        for (int i = 0; i < 100; i++) values[i] = i * 0.5 - 7;
        MilProgram p = b.returns(b.add(x, b.constant(FP32, new long[] {100}, values))).build();
        assertEquals(1, p.blobFiles().size());
        assertTrue(p.blobFiles().get(0).startsWith("@model_path/weights/"), p.blobFiles().toString());
        assertEquals(p.blobFiles(), List.copyOf(p.weightFiles().keySet()));
        try (Kernel k = ane.compile(p)) {
            float[] in = new float[100];
            for (int i = 0; i < 100; i++) in[i] = i;
            k.input(0).write(in);
            k.eval();
            float[] out = k.output(0).readFloats();
            for (int i = 0; i < 100; i++) assertEquals(i + i * 0.5f - 7, out[i], "element " + i);
        }
    }

    @Test
    void nameRenamesAValueAndEveryUseOfIt() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2);
        Value relu = b.relu(x);
        Value s = b.sigmoid(relu);
        Value h = b.name("hidden", relu);
        assertEquals("hidden", h.name());
        MilProgram p = b.returns(s, h).build();
        Statement sigmoid = p.main().statements().get(1);
        assertEquals(new Operand.Name("hidden"), sigmoid.argument("x").orElseThrow(), p.text());
        assertEquals(List.of("sigmoid", "hidden"), p.main().outputs());
        assertTrue(p.text().contains("tensor<fp16, [2]> hidden = relu(x = x)[name = string(\"hidden\")];"), p.text());
    }

    @Test
    void aRenamedValueIsRefusedAfterwards() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2);
        Value relu = b.relu(x);
        b.name("hidden", relu);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.sigmoid(relu));
        assertTrue(e.getMessage().contains("was renamed"), e.getMessage());
    }

    @Test
    void namesMustBeFreeAndValidAndParametersKeepTheirs() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2);
        Value r = b.relu(x);
        assertThrows(IllegalArgumentException.class, () -> b.name("x", r), "a taken name");
        assertThrows(IllegalArgumentException.class, () -> b.name("2x", r), "not a MIL name");
        assertThrows(IllegalArgumentException.class, () -> b.name("true", r), "a literal");
        assertThrows(IllegalArgumentException.class, () -> b.name("y", x), "a parameter");
    }

    @Test
    void splitPiecesCanBeRenamedOneByOne() {
        MilBuilder b = MilBuilder.function("main");
        List<Value> parts = b.split(b.input("x", FP16, 4, 2), 0, 2);
        assertEquals(List.of("split_0", "split_1"), parts.stream().map(Value::name).toList());
        Value second = b.name("second", parts.get(1));
        MilProgram p = b.returns(parts.get(0), second).build();
        assertEquals(List.of("split_0", "second"), p.main().statements().get(p.main().statements().size() - 1)
                .results().stream().map(Statement.Result::name).toList());
    }

    // ---- mistakes throw at the call, naming op and operands ------------------------------------------

    @Test
    void matmulWithDifferentInnerDimensionsNamesBothOperands() {
        MilBuilder b = MilBuilder.function("main");
        Value w = b.weight("W", FP16, 1, 3, 4);
        Value x = b.input("x", FP16, 1, 5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.matmul(w, x));
        assertEquals("matmul: inner dimensions differ: 4 (x) and 5 (y) (operands W: tensor<fp16, [1, 3, 4]>, "
                + "x: tensor<fp16, [1, 5, 2]>)", e.getMessage());
    }

    @Test
    void shapesThatDoNotBroadcastAreRefused() {
        MilBuilder b = MilBuilder.function("main");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.add(b.input("a", FP16, 2, 3), b.input("c", FP16, 4, 3)));
        assertTrue(e.getMessage().startsWith("add: shapes [2, 3] and [4, 3] do not broadcast"), e.getMessage());
    }

    @Test
    void mixedDtypesAreRefusedWithoutPromotion() {
        MilBuilder b = MilBuilder.function("main");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.mul(b.input("a", FP16, 2), b.input("c", FP32, 2)));
        assertTrue(e.getMessage().contains("same dtype") && e.getMessage().contains("c: tensor<fp32, [2]>"), e.getMessage());
    }

    @Test
    void reshapeToAnotherElementCountIsRefused() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.reshape(x, 4, 2));
        assertEquals("reshape: shape [4, 2] holds 8 elements, x has 6 (operands x: tensor<fp16, [2, 3]>)", e.getMessage());
    }

    @Test
    void badAxesAndPermutationsAreRefused() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> b.softmax(x, 2));
        assertThrows(IllegalArgumentException.class, () -> b.transpose(x, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> b.reduceSum(x, false, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> b.sliceBySize(x, new long[] {0, 2}, new long[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> b.concat(0, x, b.input("y", FP16, 2, 4)));
    }

    @Test
    void floatOnlyOpsRefuseIntegers() {
        MilBuilder b = MilBuilder.function("main");
        Value i = b.input("i", INT32, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.sigmoid(i));
        assertTrue(e.getMessage().startsWith("sigmoid: x must be fp16 or fp32"), e.getMessage());
    }

    @Test
    void valuesOfAnotherBuilderAreRefused() {
        Value foreign = MilBuilder.function("main").input("x", FP16, 2);
        MilBuilder b = MilBuilder.function("main");
        assertThrows(IllegalArgumentException.class, () -> b.relu(foreign));
    }

    @Test
    void constantsOutOfTheirRangeAreRefused() {
        MilBuilder b = MilBuilder.function("main");
        assertThrows(IllegalArgumentException.class, () -> b.scalar(FP16, 70000));
        assertThrows(IllegalArgumentException.class, () -> b.constant(INT32, new long[] {2}, 1, 2.5));
        assertThrows(IllegalArgumentException.class, () -> b.constant(FP16, new long[] {3}, 1, 2));
    }

    @Test
    void aBuilderBuildsOnce() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", FP16, 2);
        assertThrows(IllegalStateException.class, b::build, "no returns yet");
        b.returns(b.relu(x)).build();
        assertThrows(IllegalStateException.class, () -> b.relu(x));
    }

    @Test
    void returnedValuesMustFitSurfaces() {
        MilBuilder b = MilBuilder.function("main");
        Value flag = b.constant(Literal.bool(true));
        assertThrows(IllegalArgumentException.class, () -> b.returns(flag));
    }

    @Test
    void twoBuildsOfOneRecipeAreEqualPrograms() {
        Function<Integer, MilProgram> recipe = n -> {
            MilBuilder b = MilBuilder.function("main");
            Value x = b.input("x", FP16, 1, n);
            return b.returns(b.softmax(b.mul(x, 0.25), -1)).build();
        };
        MilProgram a = recipe.apply(8), c = recipe.apply(8);
        assertNotSame(a, c);
        assertEquals(a, c);
        assertEquals(a.hashCode(), c.hashCode());
    }
}
