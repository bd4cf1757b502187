package io.github.ane4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a weight file in MIL blob storage v2, the format of {@code BLOBFILE(path=…, offset=…)} weights.
 *
 * <p>Layout (little-endian): a 64-byte file header {u32 tensor count, u32 version 2, zeros}; then per
 * tensor a 64-byte metadata record {u32 sentinel 0xDEADBEEF, u32 data type ({@link DType#nativeCode()}),
 * u64 payload bytes, u64 absolute payload offset, zeros} directly followed by its payload. Every metadata
 * record starts on a 64-byte boundary (zero padding after a payload when needed); the file ends with the
 * last payload. Each {@code add…} method returns the byte offset of the tensor's metadata record, the
 * value to write in the MIL literal as {@code offset=uint64(N)}: 64 for the first tensor.
 *
 * <p>A single fp16 tensor gives exactly the bytes of the native {@code ane_bridge_build_weight_blob}.
 * Not thread-safe.
 */
public final class WeightBlob {
    private static final int RECORD = 64;
    private static final int VERSION = 2;
    private static final int SENTINEL = 0xDEADBEEF;

    /**
     * A quantised tensor.
     *
     * @param offset the byte offset of its metadata record, for {@code offset=uint64(N)} in the MIL literal
     * @param scale  the scale that maps int8 back to {@code x ≈ q · scale}
     */
    public record Quantized(long offset, float scale) {}

    private record Tensor(DType dtype, byte[] payload, long metadataOffset) {}

    private final List<Tensor> tensors = new ArrayList<>();
    private long end = RECORD; // file size so far: header, then records and payloads

    /** An empty file: a header and no tensors yet. */
    public WeightBlob() {}

    /** Adds {@code values} as an fp16 tensor (rounded to nearest even), in the given order.
     *  @param values the tensor's elements; at least one
     *  @return the byte offset of the tensor's metadata record */
    public long addFp16(float[] values) {
        requireNonEmpty(values.length);
        ByteBuffer b = payload(values.length * 2L);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return add(DType.FP16, b);
    }

    /**
     * Adds the transpose of the row-major {@code rows × cols} matrix {@code src} as fp16: element
     * {@code src[r·cols + c]} lands at index {@code c·rows + r}, so the tensor is {@code [cols, rows]}.
     *
     * @param src  the matrix, row-major, {@code rows · cols} values
     * @param rows its row count, positive
     * @param cols its column count, positive
     * @return the byte offset of the tensor's metadata record
     * @throws IllegalArgumentException when {@code src.length != rows · cols} or a size is not positive
     */
    public long addFp16Transposed(float[] src, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || (long) rows * cols != src.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " values (rows and cols positive), got " + src.length);
        }
        ByteBuffer b = payload(src.length * 2L);
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) b.putShort(Float.floatToFloat16(src[r * cols + c]));
        }
        return add(DType.FP16, b);
    }

    /** Adds raw fp16 bits as an fp16 tensor.
     *  @param bits the elements' fp16 bits; at least one
     *  @return the byte offset of the tensor's metadata record */
    public long addFp16Raw(short[] bits) {
        requireNonEmpty(bits.length);
        ByteBuffer b = payload(bits.length * 2L);
        for (short v : bits) b.putShort(v);
        return add(DType.FP16, b);
    }

    /** Adds {@code values} as an int8 tensor.
     *  @param values the tensor's elements; at least one
     *  @return the byte offset of the tensor's metadata record */
    public long addInt8(byte[] values) {
        requireNonEmpty(values.length);
        return add(DType.INT8, payload(values.length).put(values));
    }

    /** Adds {@code values} (read as 0..255) as a uint8 tensor.
     *  @param values the tensor's elements; at least one
     *  @return the byte offset of the tensor's metadata record */
    public long addUint8(byte[] values) {
        requireNonEmpty(values.length);
        return add(DType.UINT8, payload(values.length).put(values));
    }

    /**
     * Adds {@code src} quantised symmetrically to int8 with one scale for the whole tensor, as
     * {@code ane_bridge_build_weight_blob_quantized} does: {@code scale = max|x| / 127} (1 when that is
     * 0: every value zero, or so tiny that the division underflows), {@code q = round(x / scale)} with halves rounded away from zero, clamped to
     * [-128, 127]. Use the returned scale in the MIL dequantisation.
     *
     * @param src the values to quantise; at least one
     * @return the tensor's metadata offset and scale
     * @throws IllegalArgumentException when a value is NaN or infinite (no scale represents it)
     */
    public Quantized addQuantized(float[] src) {
        requireNonEmpty(src.length);
        float maxAbs = 0f;
        for (int i = 0; i < src.length; i++) {
            if (!Float.isFinite(src[i])) {
                throw new IllegalArgumentException("cannot quantise " + src[i] + " at index " + i);
            }
            maxAbs = Math.max(maxAbs, Math.abs(src[i]));
        }
        float scale = maxAbs / 127f;
        if (scale == 0f) scale = 1f; // all zeros, or so tiny that max/127 underflows
        ByteBuffer b = payload(src.length);
        for (float v : src) b.put((byte) Math.clamp(roundHalfAway(v / scale), -128, 127));
        return new Quantized(add(DType.INT8, b), scale);
    }

    /** Adds {@code values} as an fp32 tensor.
     *  @param values the tensor's elements; at least one
     *  @return the byte offset of the tensor's metadata record */
    public long addFp32(float[] values) {
        requireNonEmpty(values.length);
        ByteBuffer b = payload(values.length * 4L);
        for (float v : values) b.putFloat(v);
        return add(DType.FP32, b);
    }

    /** {@return the number of tensors added so far} */
    public int count() { return tensors.size(); }

    /** {@return the complete file: header, then every tensor in the order added}
     *  @throws IllegalStateException when the file would exceed 2 GB */
    public byte[] toBytes() {
        if (end > Integer.MAX_VALUE - 8) throw new IllegalStateException("weight file of " + end + " bytes exceeds 2 GB");
        ByteBuffer file = ByteBuffer.allocate((int) end).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0, tensors.size()).putInt(4, VERSION);
        for (Tensor t : tensors) {
            int meta = (int) t.metadataOffset;
            file.putInt(meta, SENTINEL)
                .putInt(meta + 4, t.dtype.nativeCode())
                .putLong(meta + 8, t.payload.length)
                .putLong(meta + 16, meta + RECORD)
                .put(meta + RECORD, t.payload);
        }
        return file.array();
    }

    /** {@return a file holding {@code values} as one fp16 tensor at metadata offset 64} These are the bytes of
     *  the native {@code ane_bridge_build_weight_blob(values, 1, values.length)}.
     *  @param values the tensor's elements; at least one */
    public static byte[] fp16(float[] values) {
        WeightBlob blob = new WeightBlob();
        blob.addFp16(values);
        return blob.toBytes();
    }

    private long add(DType dtype, ByteBuffer payload) {
        long metadataOffset = alignUp(end);
        tensors.add(new Tensor(dtype, payload.array(), metadataOffset));
        end = metadataOffset + RECORD + payload.capacity();
        return metadataOffset;
    }

    private static ByteBuffer payload(long bytes) {
        if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds 2 GB");
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long alignUp(long offset) { return (offset + RECORD - 1) / RECORD * RECORD; }

    // C roundf: halves away from zero. |x| + 0.5 is exact in double, so no float rounding creeps in.
    private static long roundHalfAway(float x) {
        return (long) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    private static void requireNonEmpty(int length) {
        if (length == 0) throw new IllegalArgumentException("a weight tensor needs at least one value");
    }
}
