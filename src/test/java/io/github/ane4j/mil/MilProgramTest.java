package io.github.ane4j.mil;

import io.github.ane4j.DType;
import io.github.ane4j.MilCompileException;
import io.github.ane4j.kernels.TransformerDims;
import io.github.ane4j.kernels.TransformerKernels;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MilProgramTest {
    /** Columns used in the expected positions below are counted by hand on these lines. */
    private static final String BASE = """
            program(1.3)
            {
                func main<ios18>(tensor<fp16, [1, 4, 1, 8]> x) {
                    tensor<fp16, [1, 4, 1, 8]> y = add(x=x, y=x)[name=string("y")];
                } -> (y);
            }
            """;

    @Test
    void baseProgramHasItsSignature() {
        MilProgram p = MilProgram.parse(BASE);
        assertEquals(List.of(new TensorSpec("x", DType.FP16, new long[] {1, 4, 1, 8})), p.parameters());
        assertEquals(List.of(new TensorSpec("y", DType.FP16, new long[] {1, 4, 1, 8})), p.outputs());
        assertEquals(List.of(), p.blobFiles());
        assertEquals(BASE, p.text());
        assertThrows(UnsupportedOperationException.class, () -> p.parameters().clear());
    }

    @Test
    void readsCoremlcStyleAndSeveralFunctions() {
        String text = """
                program(1.0)
                [buildInfo = dict<tensor<string, []>, tensor<string, []>>({{"coremlc-version", "3505.4.1"}})]
                {
                    func helper<ios16>(tensor<int32, [2]> a) {
                    } -> (a);
                    func main<ios16>(tensor<fp32, [2, 6]> x,
                                     tensor<int8, [3]> q)[flag = bool(true)] {
                        tensor<fp32, [2, 3]> s0, tensor<fp32, [2, 3]> s1 = split(x = x, num_splits = int32(2), axis = int32(1));
                        tensor<fp16, [4, 2]> w = const()[val = tensor<fp16, [4, 2]>(BLOBFILE(path = tensor<string, []>("@model_path/weights/w.bin"), offset = tensor<uint64, []>(64)))];
                        tensor<fp16, [4, 2]> v = const()[val = tensor<fp16, [4, 2]>(BLOBFILE(path = string("@model_path/weights/v.bin"), offset = uint64(192)))];
                        tensor<fp16, [4, 2]> u = const()[val = tensor<fp16, [4, 2]>(BLOBFILE(path = string("@model_path/weights/w.bin"), offset = uint64(256)))];
                        fp16 k = const()[name = string("k\\"1"), val = fp16(0x1p-3)];
                        tensor<int32, []> n = const()[val = tensor<int32, []>(-1)];
                    } -> (s1, k, n, q);
                }
                """;
        MilProgram p = MilProgram.parse(text);
        assertEquals(List.of(new TensorSpec("x", DType.FP32, new long[] {2, 6}),
                new TensorSpec("q", DType.INT8, new long[] {3})), p.parameters());
        assertEquals(List.of(new TensorSpec("s1", DType.FP32, new long[] {2, 3}),
                new TensorSpec("k", DType.FP16, new long[0]),
                new TensorSpec("n", DType.INT32, new long[0]),
                new TensorSpec("q", DType.INT8, new long[] {3})), p.outputs());
        assertEquals(List.of("@model_path/weights/w.bin", "@model_path/weights/v.bin"), p.blobFiles());
    }

    @Test
    void withoutMainTheFirstFunctionIsTheSignature() {
        MilProgram p = MilProgram.parse(BASE.replace("main", "first")
                .replace("    } -> (y);\n", "    } -> (y);\n    func second<ios18>(tensor<fp32, [2]> z) {\n    } -> (z);\n"));
        assertEquals("x", p.parameters().get(0).name());
        assertEquals("y", p.outputs().get(0).name());
    }

    // ---- malformed text: each case names the exact position of its cause ----------------------------

    @Test
    void emptyText() {
        assertError("", 1, 1, "expected the program header 'program(1.3)', found end of input");
    }

    @Test
    void unknownDtype() {
        assertError(variant("tensor<fp16, [1, 4, 1, 8]> x", "tensor<fp61, [1, 4, 1, 8]> x"), 3, 29,
                "unknown dtype 'fp61'");
    }

    @Test
    void dynamicDimension() {
        assertError(variant("[1, 4, 1, 8]> x", "[1, ?, 1, 8]> x"), 3, 39, "dynamic dimension '?' is not supported");
    }

    @Test
    void negativeAndZeroDimensions() {
        assertError(variant("[1, 4, 1, 8]> x", "[1, -4, 1, 8]> x"), 3, 39,
                "dimension must be a static positive integer, found '-4'");
        assertError(variant("[1, 4, 1, 8]> x", "[1, 0, 1, 8]> x"), 3, 39,
                "dimension must be a static positive integer, found '0'");
    }

    @Test
    void unclosedArgumentList() {
        assertError(variant("add(x=x, y=x)[", "add(x=x, y=x["), 4, 52,
                "expected ')' to close the argument list of 'add', found '['");
    }

    @Test
    void missingSemicolon() {
        assertError(variant("[name=string(\"y\")];", "[name=string(\"y\")]"), 5, 5,
                "expected ';' after the statement defining 'y', found '}'");
    }

    @Test
    void undefinedReturnedValue() {
        assertError(variant("-> (y);", "-> (z);"), 5, 11, "returned value 'z' is not defined in function 'main'");
    }

    @Test
    void redefinedName() {
        assertError(variant("> y = add", "> x = add"), 4, 36, "'x' is already defined at line 3, column 49");
    }

    @Test
    void parameterTypeNoSurfaceHolds() {
        assertError(variant("tensor<fp16, [1, 4, 1, 8]> x", "tensor<bool, [1, 4, 1, 8]> x"), 3, 22,
                "parameter 'x' has element type bool, which no surface can hold");
    }

    @Test
    void returnedTypeNoSurfaceHolds() {
        assertError(variant("tensor<fp16, [1, 4, 1, 8]> y = add(x=x, y=x)", "string y = const()"), 4, 9,
                "output 'y' has element type string, which no surface can hold");
    }

    @Test
    void typeLargerThanASurfaceCanAddress() {
        // 2^62 fp16 elements are 2^63 bytes, one past the largest size; 2^63 - 1 int8 elements just fit.
        assertError(variant("tensor<fp16, [1, 4, 1, 8]> x", "tensor<fp16, [4611686018427387904]> x"), 3, 22,
                "parameter 'x' is too large for a surface");
        assertError(variant("tensor<fp16, [1, 4, 1, 8]> y", "tensor<fp16, [4294967296, 4294967296]> y"), 4, 9,
                "output 'y' is too large for a surface");
        MilProgram p = MilProgram.parse(variant("tensor<fp16, [1, 4, 1, 8]> x", "tensor<int8, [9223372036854775807]> x"));
        assertEquals(Long.MAX_VALUE, p.parameters().get(0).byteSize());
    }

    @Test
    void malformedNumber() {
        assertError(variant("program(1.3)", "program(1.3.1)"), 1, 9, "malformed number '1.3.1'");
    }

    @Test
    void missingArrow() {
        assertError(variant("} -> (y);", "} (y);"), 5, 7,
                "expected '->' and the returned names after the body of 'main', found '('");
    }

    @Test
    void mismatchedBracketInAttributes() {
        assertError(variant("string(\"y\")];", "string(\"y\"));"), 4, 70,
                "expected ']' to close the attributes of 'add', found ')'");
    }

    @Test
    void unterminatedString() {
        assertError(variant("string(\"y\")];", "string(\"y)];"), 4, 66, "unterminated string");
    }

    @Test
    void blobfileWithoutPathString() {
        assertError(variant("add(x=x, y=x)[name=string(\"y\")]",
                        "const()[val=tensor<fp16, [1, 4, 1, 8]>(BLOBFILE(path=string(w), offset=uint64(64)))]"),
                4, 100, "expected the BLOBFILE path string, found 'w'");
    }

    @Test
    void textAfterTheProgram() {
        assertError(BASE + "x", 7, 1, "unexpected 'x' after the end of the program");
    }

    @Test
    void windowsLineEndingsKeepColumns() {
        assertError(variant("-> (y);", "-> (z);").replace("\n", "\r\n"), 5, 11, "returned value 'z'");
    }

    @Test
    void everyTruncationAndCorruptionOfTheProjectsKernelsFailsCleanly() {
        TransformerKernels kernels = TransformerKernels.of(new TransformerDims(8, 16, 2, 4, 11));
        assertTruncationsAndCorruptionsFailCleanly("attention", kernels.attention().text());
        assertTruncationsAndCorruptionsFailCleanly("ffnBackward", kernels.ffnBackward().text());
    }

    @Test
    void everyTruncationAndCorruptionOfCorpusProgramsFailsCleanly() throws IOException {
        Path dir = corpusDir();
        for (String name : List.of("int8_w8a8_ch4_sp2_d2.mil", "pr6_conv_fp32io.mil", "sdpa5_t2_inlinemask.mil")) {
            assertTruncationsAndCorruptionsFailCleanly(name, Files.readString(dir.resolve(name)));
        }
    }

    /** Every cut before the final '}' fails with a position inside the text; so does any corruption that fails. */
    private static void assertTruncationsAndCorruptionsFailCleanly(String name, String text) {
        int end = text.stripTrailing().length();
        for (int cut = 0; cut < end; cut++) {
            assertFailsWithPosition(text.substring(0, cut), name + " cut at " + cut);
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(name.hashCode());
        String noise = "()[]{}<>,=;-\"?.x0@\\ \n";
        for (int i = 0; i < 2000; i++) {
            char[] chars = text.toCharArray();
            chars[random.nextInt(chars.length)] = noise.charAt(random.nextInt(noise.length()));
            try {
                MilProgram.parse(new String(chars));
            } catch (MilCompileException e) {
                assertPositionInside(e, new String(chars), name + " corrupted");
            }
        }
    }

    private static void assertFailsWithPosition(String text, String what) {
        MilCompileException e = assertThrows(MilCompileException.class, () -> MilProgram.parse(text), what);
        assertPositionInside(e, text, what);
    }

    // The reported place exists in the text (or is just past its end, for "found end of input").
    private static void assertPositionInside(MilCompileException e, String text, String what) {
        String[] lines = text.split("\n", -1);
        assertTrue(e.line() >= 1 && e.line() <= lines.length, what + ": " + e.getMessage());
        assertTrue(e.column() >= 1 && e.column() <= lines[e.line() - 1].length() + 1, what + ": " + e.getMessage());
    }

    private static String variant(String from, String to) {
        assertTrue(BASE.contains(from), from);
        return BASE.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    private static void assertError(String text, int line, int column, String cause) {
        MilCompileException e = assertThrows(MilCompileException.class, () -> MilProgram.parse(text));
        assertEquals(line + ":" + column, e.line() + ":" + e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(cause), () -> "message '" + e.getMessage() + "' lacks '" + cause + "'");
        assertTrue(e.getMessage().startsWith("MIL line " + line + ", column " + column + ": "), e.getMessage());
    }

    // ---- the upstream corpus, checked against its MANIFEST.tsv -------------------------------------

    @TestFactory
    Stream<DynamicTest> corpusProgramsMatchManifest() throws IOException {
        Path dir = corpusDir();
        List<String> rows = Files.readAllLines(dir.resolve("MANIFEST.tsv"));
        List<DynamicTest> tests = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            if (row.isBlank()) continue;
            String[] col = row.split("\t");
            assertEquals(4, col.length, row);
            tests.add(DynamicTest.dynamicTest(col[0], () -> {
                MilProgram p = MilProgram.parse(Files.readString(dir.resolve(col[0])));
                assertEquals(manifestSpecs(col[1]), p.parameters(), "parameters");
                assertEquals(manifestSpecs(col[2]), p.outputs(), "outputs");
                assertEquals(manifestBlobPaths(col[3]), p.blobFiles(), "BLOBFILE paths");
            }));
        }
        assertEquals(55, tests.size(), "MANIFEST.tsv rows");
        return tests.stream();
    }

    @Test
    void everyCorpusFileIsInTheManifestAndSamplesParse() throws IOException {
        Path dir = corpusDir();
        String manifest = Files.readString(dir.resolve("MANIFEST.tsv"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".mil")).toList()) {
                assertTrue(manifest.contains(f.getFileName() + "\t"), f + " is not in MANIFEST.tsv");
            }
        }
        try (Stream<Path> samples = Files.list(dir.resolve("samples"))) {
            List<Path> mils = samples.filter(f -> f.toString().endsWith(".mil")).toList();
            assertTrue(mils.size() >= 5, "samples/*.mil");
            for (Path f : mils) assertEquals(1, MilProgram.parse(Files.readString(f)).outputs().size(), f.toString());
        }
    }

    /** "x:fp16[1,8,1,8] W:fp16[1,8,8]" → specs. */
    private static List<TensorSpec> manifestSpecs(String column) {
        List<TensorSpec> specs = new ArrayList<>();
        for (String item : column.trim().split(" ")) {
            int colon = item.indexOf(':'), bracket = item.indexOf('[');
            String[] dims = item.substring(bracket + 1, item.length() - 1).split(",");
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) shape[i] = Long.parseLong(dims[i]);
            DType dtype = DType.fromMilName(item.substring(colon + 1, bracket));
            specs.add(new TensorSpec(item.substring(0, colon), dtype, shape));
        }
        return specs;
    }

    /** "path@64:fp16[..] path@160:fp16[..]" or "-" → distinct paths in order. */
    private static List<String> manifestBlobPaths(String column) {
        Set<String> paths = new LinkedHashSet<>();
        if (!column.trim().equals("-")) {
            for (String ref : column.trim().split(" ")) paths.add(ref.substring(0, ref.lastIndexOf('@')));
        }
        return List.copyOf(paths);
    }

    static Path corpusDir() {
        String dir = System.getProperty("ane4j.corpus.dir");
        if (dir == null || dir.isBlank()) dir = System.getenv("ANE4J_CORPUS_DIR");
        if (dir == null || dir.isBlank()) dir = "../shared/corpus/upstream-mil";
        Path path = Path.of(dir);
        assumeTrue(Files.isRegularFile(path.resolve("MANIFEST.tsv")),
                "MIL corpus not found at " + path.toAbsolutePath()
                        + " (set -Dane4j.corpus.dir or ANE4J_CORPUS_DIR); skipping corpus checks");
        return path;
    }
}
