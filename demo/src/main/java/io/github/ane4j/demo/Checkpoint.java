package io.github.ane4j.demo;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A training run's complete state, enough to continue it exactly where it stopped: settings, vocabulary,
 * weights, AdamW's moments and step, the training-window sampler's state and the loss curves.
 *
 * <p><b>File format</b>, version 1, little-endian; {@code str} is an int32 byte count and UTF-8 bytes:
 * <pre>
 * bytes 0-7   magic "ANE4JCKP"
 * int32       format version (1)
 * settings    int32 dim, hidden, heads, layers, seq; int8 tied classifier (0/1); int32 batch, steps;
 *             float64 learning rate, min learning rate; int32 warm-up steps; int8 cosine schedule (0/1);
 *             float64 beta1, beta2, weight decay, clip; int64 seed
 * str         vocabulary: every character of the corpus, in token id order
 * int32       step: optimizer steps taken
 * int64       sampler state (SplitMix64)
 * int32       tensor count T, then T times:
 *               str name; int32 rows, cols; float32[rows·cols] weights, first moments, second moments
 *               (row-major; names, order and shapes those of ModelWeights.tensors())
 * int32       training-loss points, then (int32 step, float64 loss) each
 * int32       validation-loss points, then (int32 step, float64 loss) each
 * int32       CRC-32 of every preceding byte
 * </pre>
 * Files are written to a temporary file in the same folder and moved over the target atomically, so a
 * crash leaves the previous checkpoint or the new one, never a mix.
 */
record Checkpoint(TrainingConfig config, String vocabulary, int step, long samplerState,
                  ModelWeights weights, ModelWeights firstMoments, ModelWeights secondMoments, LossHistory history) {

    private static final byte[] MAGIC = "ANE4JCKP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    /** Writes this checkpoint to {@code file} atomically (temporary file, then ATOMIC_MOVE). */
    void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
        try {
            Files.write(temporary, encode());
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @throws IOException when the file cannot be read, or is not a valid checkpoint of this version (the
     *                     message says why)
     */
    static Checkpoint read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(bytes);
        } catch (BufferUnderflowException e) {
            throw new IOException(file + " is truncated (" + bytes.length + " bytes)");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private byte[] encode() {
        List<Tensor> w = weights.tensors(), m = firstMoments.tensors(), v = secondMoments.tensors();
        byte[] vocab = vocabulary.getBytes(StandardCharsets.UTF_8);
        long size = MAGIC.length + 4                    // magic, version
                + 8 * 4 + 2 + 6 * 8 + 8                         // settings: int32s, flags, float64s, seed
                + 4 + vocab.length + 4 + 8 + 4                  // vocabulary, step, sampler, tensor count
                + 2 * 4 + 12L * (history.training().size() + history.validation().size()) + 4; // losses, CRC
        for (Tensor t : w) size += 4 + t.name().getBytes(StandardCharsets.UTF_8).length + 8 + 12L * t.data().length;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(VERSION);
        TrainingConfig c = config;
        out.putInt(c.dim()).putInt(c.hidden()).putInt(c.heads()).putInt(c.layers()).putInt(c.seq())
                .put((byte) (c.tiedClassifier() ? 1 : 0))
                .putInt(c.batch()).putInt(c.steps()).putDouble(c.learningRate()).putDouble(c.minLearningRate())
                .putInt(c.warmup()).put((byte) (c.cosine() ? 1 : 0))
                .putDouble(c.beta1()).putDouble(c.beta2()).putDouble(c.weightDecay()).putDouble(c.clip()).putLong(c.seed());
        out.putInt(vocab.length).put(vocab);
        out.putInt(step).putLong(samplerState);
        out.putInt(w.size());
        for (int i = 0; i < w.size(); i++) {
            Tensor t = w.get(i);
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            out.putInt(name.length).put(name).putInt(t.rows()).putInt(t.cols());
            for (Tensor part : List.of(t, m.get(i), v.get(i))) {
                out.asFloatBuffer().put(part.data());
                out.position(out.position() + 4 * part.data().length);
            }
        }
        for (List<LossHistory.Point> points : List.of(history.training(), history.validation())) {
            out.putInt(points.size());
            for (LossHistory.Point p : points) out.putInt(p.step()).putDouble(p.loss());
        }
        out.putInt((int) crc(out.array(), out.position()));
        return out.array();
    }

    private static Checkpoint decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new IllegalArgumentException("not an ane4j demo checkpoint (bad magic)");
        int version = in.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException("checkpoint format version " + version + ", this demo reads version " + VERSION);
        }
        if (bytes.length < in.position() + 4) throw new BufferUnderflowException();
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc(bytes, bytes.length - 4)) throw new IllegalArgumentException("corrupt: the CRC-32 does not match");

        // Arguments are evaluated left to right (JLS 15.7.4): the file's order is the record's.
        TrainingConfig config = new TrainingConfig(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                flag(in), in.getInt(), in.getInt(), in.getDouble(), in.getDouble(), in.getInt(), flag(in),
                in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(), in.getLong());
        String vocabulary = string(in);
        int step = in.getInt();
        long samplerState = in.getLong();
        ModelConfig model = config.model(vocabulary.codePointCount(0, vocabulary.length()));
        ModelWeights weights = ModelWeights.zeros(model), m = ModelWeights.zeros(model), v = ModelWeights.zeros(model);
        List<Tensor> expected = weights.tensors();
        int count = in.getInt();
        if (count != expected.size()) throw new IllegalArgumentException(count + " tensors, the model has " + expected.size());
        for (int i = 0; i < count; i++) {
            Tensor t = expected.get(i);
            String name = string(in);
            int rows = in.getInt(), cols = in.getInt();
            if (!name.equals(t.name()) || rows != t.rows() || cols != t.cols()) {
                throw new IllegalArgumentException("tensor " + i + " is " + name + " [" + rows + ", " + cols + "], expected "
                        + t.name() + " " + t.shape());
            }
            for (ModelWeights part : List.of(weights, m, v)) {
                float[] data = part.tensors().get(i).data();
                in.asFloatBuffer().get(data);
                in.position(in.position() + 4 * data.length);
            }
        }
        LossHistory history = new LossHistory();
        for (int n = in.getInt(), i = 0; i < n; i++) history.addTraining(in.getInt(), in.getDouble());
        for (int n = in.getInt(), i = 0; i < n; i++) history.addValidation(in.getInt(), in.getDouble());
        if (in.remaining() != 4) throw new IllegalArgumentException((in.remaining() - 4) + " unexpected bytes before the CRC");
        return new Checkpoint(config, vocabulary, step, samplerState, weights, m, v, history);
    }

    private static boolean flag(ByteBuffer in) {
        byte b = in.get();
        if (b != 0 && b != 1) throw new IllegalArgumentException("a flag byte is " + b + ", not 0 or 1");
        return b == 1;
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) throw new BufferUnderflowException();
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
