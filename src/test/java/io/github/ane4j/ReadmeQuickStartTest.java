package io.github.ane4j;

import io.github.ane4j.mil.MilBuilder;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.Value;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quick start of README.md, statement for statement, with the values its comments promise. */
class ReadmeQuickStartTest {
    /** The builder lines of the quick start, as the README shows them (checked below). */
    static final String BUILDER = """
            MilBuilder b = MilBuilder.function("main");
            Value x = b.input("x", DType.FP16, 1, 4, 1, 2);
            Value w = b.weight("W", DType.FP16, 1, 3, 4);
            Value y = b.name("y", b.matmul(w, b.reshape(x, 1, 4, 2)));
            MilProgram program = b.returns(y).build();
            Kernel k = ane.compile(program)) {
            """;

    static final String MIL = """
            program(1.3)
            {
                func main<ios18>(tensor<fp16, [1, 4, 1, 2]> x, tensor<fp16, [1, 3, 4]> W) {
                    tensor<int32, [3]> shape = const()[name = string("shape"), val = tensor<int32, [3]>([1, 4, 2])];
                    tensor<fp16, [1, 4, 2]> x3 = reshape(shape = shape, x = x)[name = string("x3")];
                    bool no = const()[name = string("no"), val = bool(false)];
                    tensor<fp16, [1, 3, 2]> y = matmul(transpose_x = no, transpose_y = no, x = W, y = x3)[name = string("y")];
                } -> (y);
            }
            """;

    static MilProgram builtProgram() {
        MilBuilder b = MilBuilder.function("main");
        Value x = b.input("x", DType.FP16, 1, 4, 1, 2);
        Value w = b.weight("W", DType.FP16, 1, 3, 4);
        Value y = b.name("y", b.matmul(w, b.reshape(x, 1, 4, 2)));
        return b.returns(y).build();
    }

    @Test
    void builtQuickStartComputesTheCommentedValuesAndDoublesThemAfterAWeightRewrite() {
        try (Ane ane = Ane.open(); Kernel k = ane.compile(builtProgram())) {
            assertQuickStart(ane, k);
        }
    }

    @Test
    void textQuickStartComputesTheSame() {
        try (Ane ane = Ane.open(); Kernel k = ane.compileDynamic(MilProgram.parse(MIL), 1)) {
            assertQuickStart(ane, k);
        }
    }

    private static void assertQuickStart(Ane ane, Kernel k) {
        k.weight(0).write(new float[] {1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 1, 1});
        k.input(0).write(new float[] {1, 2,  3, 4,  5, 6,  7, 8});
        k.eval();
        // W rows pick x rows 0 and 1, then sum rows 2 and 3: (5+7, 6+8).
        assertArrayEquals(new float[] {1, 2, 3, 4, 12, 14}, k.output(0).readFloats());
        int compiles = ane.compileCount();
        k.weight(0).write(new float[] {2, 0, 0, 0,  0, 2, 0, 0,  0, 0, 2, 2});
        k.eval();
        assertArrayEquals(new float[] {2, 4, 6, 8, 24, 28}, k.output(0).readFloats());
        assertEquals(compiles, ane.compileCount(), "the weight rewrite must not recompile");
    }

    @Test
    void readmeShowsTheseVeryPrograms() throws IOException {
        Path readme = Path.of(System.getProperty("user.dir"), "README.md");
        String text = Files.readString(readme);
        for (String line : (MIL + BUILDER).strip().split("\n")) {
            assertTrue(text.contains(line.strip()), "README.md lacks the quick-start line: " + line.strip());
        }
    }
}
