package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Parse → print → parse over every program of the external upstream corpus (when present): the model read
 * back from the printed text equals the model of the original, and the printed text evaluates to the same
 * outputs as the original on the reference backend, bit for bit. The project's own programs make the same
 * round trip in {@code TransformerKernelsTest}.
 */
class MilRoundTripTest {
    static Ane ane;

    @BeforeAll
    static void open() { ane = Ane.open(Backend.REFERENCE); }

    @AfterAll
    static void close() { ane.close(); }

    @TestFactory
    Stream<DynamicTest> corpusProgramsSurviveParsePrintParse() throws IOException {
        Path dir = CorpusConformanceTest.corpusDir();
        if (!Files.isRegularFile(dir.resolve("MANIFEST.tsv"))) {
            return Stream.of(DynamicTest.dynamicTest("corpus absent", () -> Assumptions.abort("MIL corpus not found at "
                    + dir.toAbsolutePath() + " (set -Dane4j.corpus.dir or ANE4J_CORPUS_DIR); skipping the round trip")));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (CorpusConformanceTest.Entry e : CorpusConformanceTest.manifest(dir)) {
            tests.add(DynamicTest.dynamicTest(e.file(), () -> {
                String text = Files.readString(dir.resolve(e.file()));
                Map<String, byte[]> weights = CorpusConformanceTest.weightFiles(e.blobRefs(), new Random(e.file().hashCode()));
                assertRoundTrip(text, weights);
            }));
        }
        return tests.stream();
    }

    /** The round-trip property for one program text with its weight files. */
    static void assertRoundTrip(String text, Map<String, byte[]> weights) {
        MilProgram original = MilProgram.parse(text);
        MilProgram printed = MilProgram.of(original.version(), original.attributes(), original.functions());
        MilProgram reread = MilProgram.parse(printed.text());
        assertEquals(original, reread, "parse(print(parse(text))) differs from parse(text)");
        assertEquals(original.parameters(), reread.parameters());
        assertEquals(original.outputs(), reread.outputs());
        assertEquals(original.blobFiles(), reread.blobFiles());
        assertArrayEquals(evaluate(original, weights), evaluate(reread, weights), "outputs of the printed text");
    }

    /** Every output's raw bits after one eval on seeded random inputs in [-1, 1). */
    private static int[] evaluate(MilProgram program, Map<String, byte[]> weights) {
        Random random = new Random(42);
        List<Integer> bits = new ArrayList<>();
        try (Kernel k = ane.compile(program, weights)) {
            for (int i = 0; i < k.inputCount(); i++) {
                float[] values = new float[(int) k.input(i).elementCount()];
                for (int j = 0; j < values.length; j++) values[j] = random.nextFloat() * 2 - 1;
                k.input(i).write(values);
            }
            k.eval();
            for (int o = 0; o < k.outputCount(); o++) {
                for (float v : k.output(o).readFloats()) bits.add(Float.floatToRawIntBits(v));
            }
        }
        assertNotEquals(0, bits.size());
        return bits.stream().mapToInt(Integer::intValue).toArray();
    }
}
