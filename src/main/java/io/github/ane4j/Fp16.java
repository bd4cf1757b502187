package io.github.ane4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Conversions between binary32 ({@code float}) and IEEE 754 binary16 (fp16, the ANE's element type),
 * rounding to nearest even; NaN stays NaN, values beyond the fp16 range become infinities.
 *
 * <p>fp16 values in memory are little-endian 2-byte words at any byte alignment, the layout of ANE
 * surfaces and weight blobs. The loops call {@link Float#floatToFloat16} and {@link Float#float16ToFloat},
 * which the JIT turns into vectorised hardware conversions (F16C/AVX-512 on x86, NEON on AArch64).
 * All methods are stateless and thread-safe.
 */
public final class Fp16 {
    private static final ValueLayout.OfShort LE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Fp16() {}

    /** {@return the fp16 bits nearest to {@code value}}
     *  @param value any float, including infinities and NaN */
    public static short toFp16(float value) { return Float.floatToFloat16(value); }

    /** {@return the float equal to the fp16 value {@code bits}} Exact: every fp16 is a float.
     *  @param bits an fp16 value's bits */
    public static float toFloat(short bits) { return Float.float16ToFloat(bits); }

    /** {@return a new array: {@code src} converted element by element to fp16 bits}
     *  @param src the floats to convert */
    public static short[] toFp16(float[] src) {
        short[] dst = new short[src.length];
        for (int i = 0; i < src.length; i++) dst[i] = Float.floatToFloat16(src[i]);
        return dst;
    }

    /** {@return a new array: the fp16 bits in {@code src} converted element by element to floats}
     *  @param src fp16 bits to convert */
    public static float[] toFloat(short[] src) {
        float[] dst = new float[src.length];
        for (int i = 0; i < src.length; i++) dst[i] = Float.float16ToFloat(src[i]);
        return dst;
    }

    /**
     * Converts {@code count} floats from {@code src[srcOffset..]} and stores them as fp16 at
     * {@code dst + dstByteOffset} (2 bytes each, little-endian, no alignment required).
     *
     * @param src           the floats to convert
     * @param srcOffset     index of the first float
     * @param dst           where the fp16 values go
     * @param dstByteOffset byte offset of the first fp16 value in {@code dst}
     * @param count         how many values to convert
     * @throws IndexOutOfBoundsException when either range lies outside its array or segment
     */
    public static void toFp16(float[] src, int srcOffset, MemorySegment dst, long dstByteOffset, int count) {
        checkArrayRange("source", srcOffset, count, src.length);
        checkSegmentRange("destination", dstByteOffset, count, dst.byteSize());
        for (int i = 0; i < count; i++) {
            dst.set(LE_SHORT, dstByteOffset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }

    /**
     * Reads {@code count} fp16 values at {@code src + srcByteOffset} (2 bytes each, little-endian, no
     * alignment required) and stores them as floats in {@code dst[dstOffset..]}.
     *
     * @param src           where the fp16 values are
     * @param srcByteOffset byte offset of the first fp16 value in {@code src}
     * @param dst           the floats to fill
     * @param dstOffset     index of the first float to fill
     * @param count         how many values to convert
     * @throws IndexOutOfBoundsException when either range lies outside its segment or array
     */
    public static void toFloat(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        checkSegmentRange("source", srcByteOffset, count, src.byteSize());
        checkArrayRange("destination", dstOffset, count, dst.length);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src.get(LE_SHORT, srcByteOffset + 2L * i));
        }
    }

    private static void checkArrayRange(String role, int offset, int count, int length) {
        if (offset < 0 || count < 0 || offset > length - count) {
            throw new IndexOutOfBoundsException(role + " range [" + offset + ", " + offset + " + " + count
                    + ") is outside the float array of length " + length);
        }
    }

    private static void checkSegmentRange(String role, long byteOffset, int count, long byteSize) {
        if (byteOffset < 0 || count < 0 || byteOffset > byteSize - 2L * count) {
            throw new IndexOutOfBoundsException(role + " range of " + count + " fp16 values ("
                    + 2L * count + " bytes) at byte offset " + byteOffset + " is outside the segment of "
                    + byteSize + " bytes");
        }
    }
}
