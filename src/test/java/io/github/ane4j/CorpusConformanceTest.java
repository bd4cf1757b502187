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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance over the external corpus of real upstream MIL programs: each compiles on the reference
 * backend (with weight files synthesised from MANIFEST.tsv for its BLOBFILE references), evaluates on
 * random inputs, and gives finite outputs with the surfaces the manifest lists. The corpus is read in
 * place from {@code -Dane4j.corpus.dir}, else {@code ANE4J_CORPUS_DIR}, else
 * {@code ../shared/corpus/upstream-mil}; the test is skipped, saying so, when it is absent.
 */
class CorpusConformanceTest {
    static Ane ane;

    /** One MANIFEST.tsv row. */
    record Entry(String file, List<String> inputs, List<String> outputs, List<String> blobRefs) {}

    @BeforeAll
    static void open() { ane = Ane.open(Backend.REFERENCE); }

    @AfterAll
    static void close() { ane.close(); }

    static Path corpusDir() {
        String dir = System.getProperty("ane4j.corpus.dir");
        if (dir == null || dir.isBlank()) dir = System.getenv("ANE4J_CORPUS_DIR");
        if (dir == null || dir.isBlank()) dir = "../shared/corpus/upstream-mil";
        return Path.of(dir);
    }

    static List<Entry> manifest(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("MANIFEST.tsv"))) {
            if (line.isBlank() || line.startsWith("file\t")) continue;
            String[] cols = line.split("\t");
            entries.add(new Entry(cols[0], words(cols[1]), words(cols[2]), words(cols[3])));
        }
        return entries;
    }

    private static List<String> words(String column) {
        return column.equals("-") ? List.of() : List.of(column.trim().split(" "));
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusProgramCompilesAndEvaluatesToFiniteOutputs() throws IOException {
        Path dir = corpusDir();
        if (!Files.isRegularFile(dir.resolve("MANIFEST.tsv"))) {
            // A skipped test (rather than an aborted factory) so the reason shows in the report.
            return Stream.of(DynamicTest.dynamicTest("corpus absent", () -> Assumptions.abort("MIL corpus not found at "
                    + dir.toAbsolutePath() + " (set -Dane4j.corpus.dir or ANE4J_CORPUS_DIR); skipping the conformance run")));
        }
        List<Entry> entries = manifest(dir);
        assertEquals(55, entries.size(), "MANIFEST.tsv rows");
        return entries.stream().map(e -> DynamicTest.dynamicTest(e.file(), () -> run(dir, e)));
    }

    private static void run(Path dir, Entry entry) throws IOException {
        MilProgram program = MilProgram.parse(Files.readString(dir.resolve(entry.file())));
        Random random = new Random(entry.file().hashCode());
        try (Kernel k = ane.compile(program, weightFiles(entry.blobRefs(), random))) {
            assertEquals(entry.inputs().size(), k.inputCount(), "inputs");
            assertEquals(entry.outputs().size(), k.outputCount(), "outputs");
            for (int i = 0; i < k.inputCount(); i++) {
                Surface in = k.input(i);
                assertEquals(entry.inputs().get(i), describe(in), "input " + i);
                float[] values = new float[(int) in.elementCount()];
                for (int j = 0; j < values.length; j++) values[j] = random.nextFloat() * 2 - 1;
                in.write(values);
            }
            k.eval();
            for (int o = 0; o < k.outputCount(); o++) {
                Surface out = k.output(o);
                assertEquals(entry.outputs().get(o), describe(out), "output " + o);
                float[] values = out.readFloats();
                for (int j = 0; j < values.length; j++) {
                    assertTrue(Float.isFinite(values[j]), entry.file() + " output " + o + " element " + j + " = " + values[j]);
                }
            }
        }
    }

    /** The manifest's spelling of a surface: {@code name:dtype[d0,d1,...]}. */
    private static String describe(Surface s) {
        StringBuilder sb = new StringBuilder(s.spec().name()).append(':').append(s.dtype().milName()).append('[');
        long[] shape = s.spec().shape();
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ",").append(shape[i]);
        return sb.append(']').toString();
    }

    /**
     * One file per distinct path, holding a record at every offset the manifest lists ({@code
     * path@offset:dtype[shape]}), with random payloads: fp16 in [-0.5, 0.5), int8 in [-8, 8).
     */
    static Map<String, byte[]> weightFiles(List<String> refs, Random random) {
        Map<String, List<String>> byPath = new LinkedHashMap<>();
        for (String ref : refs) byPath.computeIfAbsent(ref.substring(0, ref.lastIndexOf('@')), p -> new ArrayList<>()).add(ref);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> file : byPath.entrySet()) {
            int size = 64;
            for (String ref : file.getValue()) size = Math.max(size, offset(ref) + 64 + payloadBytes(ref));
            BlobFiles blob = new BlobFiles(size);
            for (String ref : file.getValue()) {
                int elements = payloadBytes(ref) / (isInt8(ref) ? 1 : 2);
                byte[] payload;
                if (isInt8(ref)) {
                    payload = new byte[elements];
                    for (int i = 0; i < elements; i++) payload[i] = (byte) (random.nextInt(16) - 8);
                } else {
                    float[] values = new float[elements];
                    for (int i = 0; i < elements; i++) values[i] = random.nextFloat() - 0.5f;
                    payload = BlobFiles.fp16(values);
                }
                blob.put(offset(ref), isInt8(ref) ? BlobFiles.INT8 : BlobFiles.FP16, payload);
            }
            files.put(file.getKey(), blob.bytes());
        }
        return files;
    }

    private static int offset(String ref) {
        return Integer.parseInt(ref.substring(ref.lastIndexOf('@') + 1, ref.indexOf(':', ref.lastIndexOf('@'))));
    }

    private static boolean isInt8(String ref) { return ref.contains(":int8["); }

    private static int payloadBytes(String ref) {
        String shape = ref.substring(ref.lastIndexOf('[') + 1, ref.lastIndexOf(']'));
        int elements = 1;
        for (String d : shape.split(",")) elements *= Integer.parseInt(d.trim());
        return elements * (isInt8(ref) ? 1 : 2);
    }
}
