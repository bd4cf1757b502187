package io.github.ane4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes MIL blob storage v2 weight files for the tests, straight from the format description (64-byte
 * header: u32 count, u32 version 2; per tensor a 64-byte record: u32 0xDEADBEEF, u32 dtype, u64 payload
 * bytes, u64 absolute payload offset; payload right after its record), independent of the library's
 * writers.
 */
final class BlobFiles {
    static final int FP16 = 1, INT8 = 4;

    private final ByteBuffer buffer;
    private int count;

    /** A file of {@code size} bytes, zero-filled. */
    BlobFiles(int size) {
        buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, 0).putInt(4, 2);
    }

    /** Places a tensor's record at {@code recordOffset} (the MIL {@code offset}) and its payload after it. */
    BlobFiles put(int recordOffset, int dtype, byte[] payload) {
        buffer.putInt(recordOffset, 0xDEADBEEF).putInt(recordOffset + 4, dtype)
                .putLong(recordOffset + 8, payload.length).putLong(recordOffset + 16, recordOffset + 64L);
        buffer.put(recordOffset + 64, payload);
        buffer.putInt(0, ++count);
        return this;
    }

    byte[] bytes() { return buffer.array(); }

    /** fp16 payload bytes of {@code values}, little-endian. */
    static byte[] fp16(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return b.array();
    }

    /** A file holding one fp16 tensor with its record at offset 64, as MIL {@code offset=uint64(64)} expects. */
    static byte[] singleFp16(float[] values) {
        return new BlobFiles(128 + values.length * 2).put(64, FP16, fp16(values)).bytes();
    }
}
