package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    private static final TrainingConfig CONFIG = new TrainingConfig(8, 12, 2, 2, 5, false, 3, 40, 0.01, 0.001, 4, true,
            0.9, 0.95, 0.1, 1.0, -77);
    private static final String VOCABULARY = "\nab×z";

    @TempDir
    Path folder;

    private static Checkpoint sample() {
        ModelConfig model = CONFIG.model(5);
        SplitMix64 random = new SplitMix64(1);
        ModelWeights w = ModelWeights.initialized(model, random), m = ModelWeights.initialized(model, random),
                v = ModelWeights.initialized(model, random);
        LossHistory history = new LossHistory();
        history.addValidation(0, 4.5);
        history.addTraining(1, 4.25);
        history.addTraining(2, Math.PI);
        history.addValidation(2, 3.0);
        return new Checkpoint(CONFIG, VOCABULARY, 2, 0x1234_5678_9ABC_DEF0L, w, m, v, history);
    }

    @Test
    void everythingWrittenIsReadBackExactly() throws IOException {
        Checkpoint saved = sample();
        Path file = folder.resolve("run.ckpt");
        saved.write(file);
        Checkpoint read = Checkpoint.read(file);

        assertEquals(CONFIG, read.config());
        assertEquals(VOCABULARY, read.vocabulary());
        assertEquals(2, read.step());
        assertEquals(0x1234_5678_9ABC_DEF0L, read.samplerState());
        for (int i = 0; i < saved.weights().tensors().size(); i++) {
            assertArrayEquals(saved.weights().tensors().get(i).data(), read.weights().tensors().get(i).data());
            assertArrayEquals(saved.firstMoments().tensors().get(i).data(), read.firstMoments().tensors().get(i).data());
            assertArrayEquals(saved.secondMoments().tensors().get(i).data(), read.secondMoments().tensors().get(i).data());
        }
        assertEquals(saved.history().training(), read.history().training());
        assertEquals(saved.history().validation(), read.history().validation());
    }

    @Test
    void theFileStartsWithMagicAndVersionInLittleEndian() throws IOException {
        Path file = folder.resolve("run.ckpt");
        sample().write(file);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals("ANE4JCKP", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 0, 0, 0, 8, 0, 0, 0}, java.util.Arrays.copyOfRange(bytes, 8, 16)); // version 1, dim 8
    }

    @Test
    void writingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = folder.resolve("sub/run.ckpt");
        sample().write(file);
        sample().write(file);
        try (var files = Files.list(file.getParent())) {
            assertEquals(java.util.List.of(file), files.toList());
        }
    }

    @Test
    void aFlippedByteIsReportedAsCorrupt() throws IOException {
        Path file = folder.resolve("run.ckpt");
        sample().write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains("CRC-32 does not match"), e.getMessage());
    }

    @Test
    void aTruncatedFileIsReportedAsTruncated() throws IOException {
        Path file = folder.resolve("run.ckpt");
        sample().write(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, 10));
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void anotherFileIsNotTakenForACheckpoint() throws IOException {
        Path file = folder.resolve("notes.txt");
        Files.writeString(file, "just some text, long enough to hold a header");
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains("not an ane4j demo checkpoint"), e.getMessage());
    }
}
