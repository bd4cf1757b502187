package io.github.ane4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Fp16Test {
    /** Bit-level reading of a binary16 value: sign, 5-bit exponent (bias 15), 10-bit fraction. */
    private static double referenceValue(int bits) {
        int sign = (bits >> 15) & 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
        double magnitude;
        if (exponent == 0) magnitude = fraction * 0x1p-24;
        else if (exponent == 31) magnitude = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        else magnitude = (1024 + fraction) * Math.pow(2, exponent - 25);
        return sign == 1 ? -magnitude : magnitude;
    }

    /** Magnitudes of halves 0x0000..0x7BFF, then 65536 standing for the first value past the largest. */
    private static final double[] MAGNITUDES = new double[0x7c01];

    static {
        for (int h = 0; h < 0x7c00; h++) MAGNITUDES[h] = referenceValue(h);
        MAGNITUDES[0x7c00] = 65536; // rounding to it means overflow: 0x7C00 is infinity
    }

    /** The nearest half by exact comparison, ties to the even bit pattern. */
    private static short referenceToHalf(float f) {
        if (Float.isNaN(f)) throw new IllegalArgumentException("NaN has no single nearest half");
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        double a = Math.abs((double) f);
        if (a >= 65536) return (short) (sign | 0x7c00);
        int found = Arrays.binarySearch(MAGNITUDES, a);
        if (found >= 0) return (short) (sign | found);
        int hi = -found - 1; // first magnitude above a
        int below = hi - 1;
        BigDecimal x = new BigDecimal(a);
        int cmp = x.subtract(new BigDecimal(MAGNITUDES[below])).compareTo(new BigDecimal(MAGNITUDES[hi]).subtract(x));
        int pick = cmp < 0 ? below : cmp > 0 ? hi : ((below & 1) == 0 ? below : hi);
        return (short) (sign | pick);
    }

    @Test
    void everyHalfConvertsToItsExactValue() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Fp16.toFloat((short) h);
            double expected = referenceValue(h);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(f), "half 0x" + Integer.toHexString(h));
            } else {
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(f),
                        "half 0x" + Integer.toHexString(h));
                assertEquals((short) h, Fp16.toFp16(f), "round trip of half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void midpointsRoundToEvenAndNeighboursToNearest() {
        for (int a = 0; a < 0x7c00; a++) {
            int b = a + 1;
            float mid = (float) ((MAGNITUDES[a] + MAGNITUDES[b]) / 2); // 12 significant bits: exact
            int even = (a & 1) == 0 ? a : b;
            for (int sign : new int[] {0, 0x8000}) {
                float s = sign == 0 ? 1f : -1f;
                assertEquals((short) (sign | even), Fp16.toFp16(s * mid), "tie between 0x" + Integer.toHexString(a));
                assertEquals((short) (sign | b), Fp16.toFp16(s * Math.nextUp(mid)), "above tie 0x" + Integer.toHexString(a));
                assertEquals((short) (sign | a), Fp16.toFp16(s * Math.nextDown(mid)), "below tie 0x" + Integer.toHexString(a));
            }
        }
    }

    @Test
    void edgesOfTheRange() {
        assertEquals((short) 0x7bff, Fp16.toFp16(65504f));
        assertEquals((short) 0x7bff, Fp16.toFp16(Math.nextDown(65520f)));
        assertEquals((short) 0x7c00, Fp16.toFp16(65520f)); // tie with 65536: the even side overflows
        assertEquals((short) 0xfc00, Fp16.toFp16(-1e9f));
        assertEquals((short) 0x0001, Fp16.toFp16(0x1p-24f));
        assertEquals((short) 0x0000, Fp16.toFp16(0x1p-25f)); // tie with 0: even
        assertEquals((short) 0x0001, Fp16.toFp16(Math.nextUp(0x1p-25f)));
        assertEquals((short) 0x8000, Fp16.toFp16(-0x1p-30f));
        assertEquals((short) 0x7c00, Fp16.toFp16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xfc00, Fp16.toFp16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x3c00, Fp16.toFp16(1f));
        assertEquals((short) 0x3555, Fp16.toFp16(1f / 3));
        short nan = Fp16.toFp16(Float.NaN);
        assertTrue((nan & 0x7c00) == 0x7c00 && (nan & 0x03ff) != 0, "NaN stays NaN: 0x" + Integer.toHexString(nan));
        assertTrue(Float.isNaN(Fp16.toFloat((short) 0x7e00)));
        assertEquals(Float.POSITIVE_INFINITY, Fp16.toFloat((short) 0x7c00));
        assertEquals(-0f, Fp16.toFloat((short) 0x8000));
    }

    @Test
    void randomFloatsMatchNaiveNearest() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 400_000; i++) {
            int bits = random.nextInt();
            if (i % 2 == 1) bits = (bits & 0x807fffff) | (random.nextInt(103, 144) << 23); // 2^-24 .. 2^16
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) continue;
            assertEquals(referenceToHalf(f), Fp16.toFp16(f), () -> "float " + f);
        }
    }

    @Test
    void arraysConvertElementwise() {
        float[] values = {0f, 1f, -2f, 0.1f, 1e-7f, 70000f, -0f};
        short[] halves = Fp16.toFp16(values);
        for (int i = 0; i < values.length; i++) assertEquals(referenceToHalf(values[i]), halves[i]);
        float[] back = Fp16.toFloat(halves);
        for (int i = 0; i < values.length; i++) assertEquals((float) referenceValue(halves[i] & 0xffff), back[i]);
        assertEquals(0, Fp16.toFp16(new float[0]).length);
    }

    @Test
    void segmentsHoldLittleEndianHalvesAtAnyOffset() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(16);
            Fp16.toFp16(new float[] {9f, 1f, -2f, 65504f}, 1, seg, 1, 3); // odd byte offset
            byte[] expected = {0, 0x00, 0x3c, 0x00, (byte) 0xc0, (byte) 0xff, 0x7b, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            assertArrayEquals(expected, seg.toArray(ValueLayout.JAVA_BYTE));

            float[] out = {7f, 7f, 7f, 7f};
            Fp16.toFloat(seg, 3, out, 1, 2);
            assertArrayEquals(new float[] {7f, -2f, 65504f, 7f}, out);
        }
        MemorySegment heap = MemorySegment.ofArray(new byte[4]);
        Fp16.toFp16(new float[] {0.5f}, 0, heap, 2, 1);
        assertArrayEquals(new byte[] {0, 0, 0x00, 0x38}, heap.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void rangesOutsideArrayOrSegmentAreRefusedBeforeAnyWrite() {
        MemorySegment seg = MemorySegment.ofArray(new byte[5]);
        float[] three = {1f, 2f, 3f};
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Fp16.toFp16(three, 0, seg, 0, 3));
        assertTrue(e.getMessage().contains("3 fp16 values (6 bytes) at byte offset 0 is outside the segment of 5 bytes"),
                e.getMessage());
        assertArrayEquals(new byte[5], seg.toArray(ValueLayout.JAVA_BYTE));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFp16(three, 0, seg, 4, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFp16(three, 0, seg, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFp16(three, 2, seg, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFp16(three, -1, seg, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFp16(three, 0, seg, 0, -1));
        e = assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFp16(three, 1, seg, 0, 3));
        assertTrue(e.getMessage().contains("source range [1, 1 + 3) is outside the float array of length 3"),
                e.getMessage());

        float[] out = new float[2];
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFloat(seg, 2, out, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFloat(seg, 0, out, 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Fp16.toFloat(seg, 0, out, 0, Integer.MIN_VALUE));
        assertArrayEquals(new float[2], out);
        Fp16.toFloat(seg, 5, out, 2, 0); // empty ranges at the very end are fine
        Fp16.toFp16(three, 3, seg, 5, 0);
        assertEquals(Arrays.toString(new float[2]), Arrays.toString(out));
    }
}
