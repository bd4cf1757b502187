package io.github.ane4j.mil;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link MilProgram#parse} puts in the model, form by form, and what printing makes of it. */
class MilModelTest {
    private static final String PROGRAM = """
            program(1.0)
            [buildInfo = dict<tensor<string, []>, tensor<string, []>>({{"coremlc-version", "3505.4.1"}})]
            {
                func main<ios16>(tensor<fp32, [2, 6]> x) [FlexibleShapeInformation = tuple<string, dict<string, list<int32, ?>>>((("DefaultShapes", {{"x", [2, 6]}})))] {
                    tensor<int32, []> ax = const()[name = tensor<string, []>("ax"), val = tensor<int32, []>(1)];
                    tensor<fp32, [2, 3]> a, tensor<fp32, [2, 3]> b = split(x = x, axis = ax, num_splits = int32(2))[name = string("s")];
                    tensor<fp32, [2, 6]> c = concat(values = (b, a), axis=ax, interleave=false);
                    tensor<fp16, [4]> w = const()[name=string("w"), val=tensor<fp16, [4]>(BLOBFILE(path=string("@model_path/weights/w.bin"), offset=uint64(64)))];
                    tensor<fp16, [2]> h = const()[name = string("h"), val = tensor<fp16, [2]>([0x1p-3, -65504])];
                } -> (c, a);
            }
            """;

    private final MilProgram p = MilProgram.parse(PROGRAM);
    private final List<Statement> body = p.main().statements();

    @Test
    void headerAndProgramAttributesAreKept() {
        assertEquals("1.0", p.version());
        Literal.Dict info = (Literal.Dict) p.attributes().get(0).value();
        assertEquals("buildInfo", p.attributes().get(0).key());
        assertEquals(List.of(Map.entry("coremlc-version", "3505.4.1")), info.entries());
        assertEquals("dict<tensor<string, []>, tensor<string, []>>", info.type().text());
    }

    @Test
    void functionSignatureAndRawAttributes() {
        MilFunction f = p.main();
        assertEquals("ios16", f.opset());
        assertEquals(List.of(new Parameter("x", MilType.tensor(ElementType.FP32, 2, 6), Parameter.Role.ACTIVATION)), f.parameters());
        assertTrue(f.attributes().startsWith("[FlexibleShapeInformation") && f.attributes().endsWith(")))]"), f.attributes());
        assertEquals(List.of("c", "a"), f.outputs());
    }

    @Test
    void verboseScalarSpellingIsARankZeroTensor() {
        Literal.Numbers val = (Literal.Numbers) body.get(0).attribute("val").orElseThrow();
        assertEquals(MilType.tensor(ElementType.INT32), val.type());
        assertArrayEquals(new double[] {1}, val.values());
    }

    @Test
    void multiResultStatementWithInlineArgument() {
        Statement split = body.get(1);
        assertEquals(List.of("a", "b"), split.results().stream().map(Statement.Result::name).toList());
        assertEquals(new Operand.Name("ax"), split.argument("axis").orElseThrow());
        assertEquals(new Operand.Inline(Literal.int32(2)), split.argument("num_splits").orElseThrow());
    }

    @Test
    void tupleAndBareBoolAndNoAttributeBlock() {
        Statement concat = body.get(2);
        assertEquals(new Operand.Tuple(List.of("b", "a")), concat.argument("values").orElseThrow());
        assertEquals(new Operand.Inline(Literal.bool(false)), concat.argument("interleave").orElseThrow());
        assertEquals(List.of(), concat.attributes());
    }

    @Test
    void blobFileAndHexFloatLiterals() {
        Literal.BlobFile w = (Literal.BlobFile) body.get(3).attribute("val").orElseThrow();
        assertEquals("@model_path/weights/w.bin", w.path());
        assertEquals(64, w.offset());
        assertEquals(List.of("@model_path/weights/w.bin"), p.blobFiles());
        Literal.Numbers h = (Literal.Numbers) body.get(4).attribute("val").orElseThrow();
        assertArrayEquals(new double[] {0.125, -65504}, h.values());
    }

    @Test
    void printingKeepsTheModel() {
        MilProgram printed = MilProgram.of(p.version(), p.attributes(), p.functions());
        assertEquals(p, MilProgram.parse(printed.text()));
        assertTrue(printed.text().contains("tensor<fp16, [2]> h = const()[name = string(\"h\"), val = tensor<fp16, [2]>([0.125, -65504])];"),
                printed.text());
        assertTrue(printed.text().contains("interleave = bool(false)"), printed.text());
    }

    @Test
    void statementLinesPointIntoTheText() {
        assertEquals(5, p.lineOf(body.get(0)));
        assertEquals(9, p.lineOf(body.get(4)));
        assertEquals(0, p.lineOf(new Statement(body.get(0).results(), "const", List.of(), body.get(0).attributes())));
    }

    @Test
    void withWeightsMarksTrailingParameters() {
        MilProgram two = MilProgram.parse("""
                program(1.3)
                {
                    func main<ios18>(tensor<fp16, [4]> x, tensor<fp16, [4]> w) {
                        tensor<fp16, [4]> y = mul(x = x, y = w)[name = string("y")];
                    } -> (y);
                }
                """);
        assertEquals(0, two.weightCount());
        MilProgram marked = two.withWeights(1);
        assertEquals(1, marked.weightCount());
        assertEquals(Parameter.Role.WEIGHT, marked.main().parameters().get(1).role());
        assertEquals(two.text(), marked.text());
        assertThrows(IllegalArgumentException.class, () -> two.withWeights(3));
    }

    @Test
    void modelsWithUndefinedNamesAreRefused() {
        Statement bad = new Statement(List.of(new Statement.Result("y", MilType.tensor(ElementType.FP16, 4))), "relu",
                List.of(Argument.of("x", "nowhere")), List.of());
        MilFunction f = new MilFunction("main", "ios18", List.of(), null, List.of(bad), List.of("y"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MilProgram.of("1.3", List.of(), List.of(f)));
        assertTrue(e.getMessage().contains("'nowhere' is used by relu 'y' before it is defined"), e.getMessage());
    }

    @Test
    void parsedProgramsBringNoWeightFilesOrRegions() {
        assertTrue(p.weightFiles().isEmpty());
        assertTrue(p.packedRegions().isEmpty());
        assertNull(MilProgram.parse(PROGRAM.replace(" [FlexibleShapeInformation = tuple<string, dict<string, list<int32, ?>>>((("
                + "\"DefaultShapes\", {{\"x\", [2, 6]}})))]", "")).main().attributes());
    }
}
