package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightBlobTest {
    /** Little-endian bytes of the given 32-bit words. */
    private static byte[] le32(int... words) {
        byte[] b = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            for (int k = 0; k < 4; k++) b[4 * i + k] = (byte) (words[i] >>> (8 * k));
        }
        return b;
    }

    private static byte[] slice(byte[] file, int from, int length) {
        return Arrays.copyOfRange(file, from, from + length);
    }

    @Test
    void singleFp16TensorLayout() {
        WeightBlob blob = new WeightBlob();
        assertEquals(64, blob.addFp16(new float[] {1f, -2f, 0.5f}));
        byte[] file = blob.toBytes();

        assertEquals(128 + 6, file.length);
        assertArrayEquals(le32(1, 2), slice(file, 0, 8));                  // count 1, version 2
        assertArrayEquals(new byte[56], slice(file, 8, 56));               // reserved
        // sentinel, dtype 1 (fp16), u64 payload size 6, u64 payload offset 128
        assertArrayEquals(le32(0xDEADBEEF, 1, 6, 0, 128, 0), slice(file, 64, 24));
        assertArrayEquals(new byte[] {(byte) 0xEF, (byte) 0xBE, (byte) 0xAD, (byte) 0xDE}, slice(file, 64, 4));
        assertArrayEquals(new byte[40], slice(file, 88, 40));              // reserved
        // 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, little-endian
        assertArrayEquals(new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0, 0x00, 0x38}, slice(file, 128, 6));
        assertArrayEquals(file, WeightBlob.fp16(new float[] {1f, -2f, 0.5f}));
    }

    @Test
    void secondTensorStartsOnTheNext64ByteBoundary() {
        WeightBlob blob = new WeightBlob();
        assertEquals(64, blob.addFp16(new float[] {1f, 1f, 1f}));   // payload 128..134
        assertEquals(192, blob.addInt8(new byte[] {1, -1, 2, -2, 127}));
        assertEquals(2, blob.count());
        byte[] file = blob.toBytes();

        assertEquals(256 + 5, file.length);
        assertArrayEquals(le32(2, 2), slice(file, 0, 8));             // count 2
        assertArrayEquals(new byte[192 - 134], slice(file, 134, 192 - 134)); // padding
        // sentinel, dtype 4 (int8), size 5, absolute payload offset 256
        assertArrayEquals(le32(0xDEADBEEF, 4, 5, 0, 256, 0), slice(file, 192, 24));
        assertArrayEquals(new byte[] {1, -1, 2, -2, 127}, slice(file, 256, 5));
    }

    @Test
    void recordOffsetsFollowPayloadSizes() {
        WeightBlob blob = new WeightBlob();
        assertEquals(64, blob.addFp32(new float[16]));        // 64 payload bytes: 128..192
        assertEquals(192, blob.addFp16Raw(new short[33]));    // 66 bytes: 256..322
        assertEquals(384, blob.addFp16(new float[32]));       // 64 bytes: 448..512
        assertEquals(512, blob.addInt8(new byte[1]));
        assertEquals(512 + 64 + 1, blob.toBytes().length);
    }

    @Test
    void transposedWritesColumnsFirst() {
        WeightBlob blob = new WeightBlob();
        blob.addFp16Transposed(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); // [[1,2,3],[4,5,6]] -> [[1,4],[2,5],[3,6]]
        byte[] file = blob.toBytes();
        assertArrayEquals(le32(0xDEADBEEF, 1, 12, 0, 128, 0), slice(file, 64, 24));
        // 1=0x3C00 4=0x4400 2=0x4000 5=0x4500 3=0x4200 6=0x4600
        assertArrayEquals(new byte[] {0, 0x3C, 0, 0x44, 0, 0x40, 0, 0x45, 0, 0x42, 0, 0x46}, slice(file, 128, 12));
    }

    @Test
    void rawFp16AndFp32Payloads() {
        WeightBlob blob = new WeightBlob();
        blob.addFp16Raw(new short[] {(short) 0x7BFF, (short) 0x8001});
        long second = blob.addFp32(new float[] {1f, -0.75f});
        byte[] file = blob.toBytes();
        assertArrayEquals(new byte[] {(byte) 0xFF, 0x7B, 0x01, (byte) 0x80}, slice(file, 128, 4));
        assertEquals(192, second);
        assertArrayEquals(le32(0xDEADBEEF, 2, 8, 0, 256, 0), slice(file, 192, 24)); // dtype 2 = fp32
        assertArrayEquals(le32(0x3F800000, 0xBF400000), slice(file, 256, 8));      // 1.0, -0.75
    }

    @Test
    void quantizedUsesOneSymmetricScaleAndRoundsHalvesAwayFromZero() {
        WeightBlob blob = new WeightBlob();
        // max |x| = 127, so scale = 1 and q = round(x): halves go away from zero (C roundf)
        WeightBlob.Quantized q = blob.addQuantized(new float[] {127f, -63.5f, 0.5f, -0.5f, 0f, 2.25f, 1.5f});
        assertEquals(64, q.offset());
        assertEquals(1f, q.scale());
        byte[] file = blob.toBytes();
        assertArrayEquals(le32(0xDEADBEEF, 4, 7, 0, 128, 0), slice(file, 64, 24));
        assertArrayEquals(new byte[] {127, -64, 1, -1, 0, 2, 2}, slice(file, 128, 7));

        // max |x| = 2.54: scale = 0.02, -1 / 0.02 = -50, 0.03 / 0.02 = 1.5 -> 2
        WeightBlob.Quantized r = blob.addQuantized(new float[] {-1f, 2.54f, 0.03f});
        assertEquals(0.02f, r.scale(), 1e-8f);
        assertArrayEquals(new byte[] {-50, 127, 2}, slice(blob.toBytes(), (int) r.offset() + 64, 3));

        WeightBlob.Quantized z = blob.addQuantized(new float[] {0f, -0f});
        assertEquals(1f, z.scale());
        assertArrayEquals(new byte[2], slice(blob.toBytes(), (int) z.offset() + 64, 2));

        // Float.MIN_VALUE / 127 underflows to 0: the scale falls back to 1 and both values round to 0.
        WeightBlob.Quantized tiny = blob.addQuantized(new float[] {0f, Float.MIN_VALUE});
        assertEquals(1f, tiny.scale());
        assertArrayEquals(new byte[2], slice(blob.toBytes(), (int) tiny.offset() + 64, 2));
    }

    @Test
    void badInputIsRefused() {
        WeightBlob blob = new WeightBlob();
        assertThrows(IllegalArgumentException.class, () -> blob.addFp16(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> blob.addInt8(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> blob.addFp16Transposed(new float[6], 4, 2));
        assertThrows(IllegalArgumentException.class, () -> blob.addFp16Transposed(new float[0], 0, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> blob.addQuantized(new float[] {1f, Float.NaN}));
        assertEquals("cannot quantise NaN at index 1", e.getMessage());
        assertEquals(0, blob.count());
        assertEquals(64, blob.toBytes().length); // header only, count 0
    }

    // ---- read back by the native side: a Java-built file compiled and evaluated on the reference backend ----

    /** 1x1 convolutions of x [1,4,1,2] with three [3,4,1,1] weights from w.bin (fp16, fp16 transposed,
     *  int8 dequantised) and an fp32 constant from b.bin added to x32. */
    private static final String CONV_PROGRAM = """
            program(1.3)
            {
                func main<ios18>(tensor<fp16, [1, 4, 1, 2]> x, tensor<fp32, [1, 4, 1, 2]> x32) {
                    string pt = const()[name = string("pt"), val = string("valid")];
                    tensor<int32, [2]> st = const()[name = string("st"), val = tensor<int32, [2]>([1, 1])];
                    tensor<int32, [4]> pd = const()[name = string("pd"), val = tensor<int32, [4]>([0, 0, 0, 0])];
                    tensor<int32, [2]> dl = const()[name = string("dl"), val = tensor<int32, [2]>([1, 1])];
                    int32 gr = const()[name = string("gr"), val = int32(1)];
                    tensor<fp16, [3, 4, 1, 1]> W = const()[name = string("W"), val = tensor<fp16, [3, 4, 1, 1]>(BLOBFILE(path = string("@model_path/weights/w.bin"), offset = uint64(%1$d)))];
                    tensor<fp16, [1, 3, 1, 2]> y = conv(dilations = dl, groups = gr, pad = pd, pad_type = pt, strides = st, weight = W, x = x)[name = string("y")];
                    tensor<fp16, [3, 4, 1, 1]> Wt = const()[name = string("Wt"), val = tensor<fp16, [3, 4, 1, 1]>(BLOBFILE(path = string("@model_path/weights/w.bin"), offset = uint64(%2$d)))];
                    tensor<fp16, [1, 3, 1, 2]> z = conv(dilations = dl, groups = gr, pad = pd, pad_type = pt, strides = st, weight = Wt, x = x)[name = string("z")];
                    tensor<fp16, [3, 4, 1, 1]> Wq = constexpr_affine_dequantize()[axis = int32(0), name = string("Wq"), quantized_data = tensor<int8, [3, 4, 1, 1]>(BLOBFILE(path = string("@model_path/weights/w.bin"), offset = uint64(%3$d))), scale = fp16(%4$s), zero_point = int8(0)];
                    tensor<fp16, [1, 3, 1, 2]> q = conv(dilations = dl, groups = gr, pad = pd, pad_type = pt, strides = st, weight = Wq, x = x)[name = string("q")];
                    tensor<fp32, [1, 4, 1, 2]> b = const()[name = string("b"), val = tensor<fp32, [1, 4, 1, 2]>(BLOBFILE(path = string("@model_path/weights/b.bin"), offset = uint64(%5$d)))];
                    tensor<fp32, [1, 4, 1, 2]> s = add(x = x32, y = b)[name = string("s")];
                } -> (y, z, q, s);
            }
            """;

    @Test
    void javaBuiltWeightFilesRunOnTheReferenceBackend() {
        SplittableRandom random = new SplittableRandom(7);
        float[] x = randoms(random, 8), x32 = randoms(random, 8), bias = randoms(random, 8);
        float[] w = randoms(random, 12);        // W[o][i] at o*4 + i
        float[] m = randoms(random, 12);        // M[i][o] at i*3 + o: the blob holds its transpose [3,4]
        float[] wq = randoms(random, 12);

        WeightBlob file = new WeightBlob();
        long offW = file.addFp16(w), offWt = file.addFp16Transposed(m, 4, 3);
        WeightBlob.Quantized quantized = file.addQuantized(wq);
        WeightBlob biasFile = new WeightBlob();
        long offB = biasFile.addFp32(bias);
        String mil = CONV_PROGRAM.formatted(offW, offWt, quantized.offset(),
                String.format(Locale.ROOT, "%.9e", quantized.scale()), offB);

        try (Ane ane = Ane.open(Backend.REFERENCE);
             Kernel k = ane.compile(MilProgram.parse(mil),
                     Map.of("@model_path/weights/w.bin", file.toBytes(), "@model_path/weights/b.bin", biasFile.toBytes()))) {
            k.input(0).write(x);
            k.input(1).write(x32);
            k.eval();
            float[] y = k.output(0).readFloats(), z = k.output(1).readFloats(), q = k.output(2).readFloats();
            float[] s = k.output(3).readFloats();
            for (int o = 0; o < 3; o++) {
                for (int p = 0; p < 2; p++) {
                    double refY = 0, refZ = 0, refQ = 0, sumAbsX = 0;
                    for (int i = 0; i < 4; i++) {
                        double xi = half(x[i * 2 + p]);
                        refY += half(w[o * 4 + i]) * xi;
                        refZ += half(m[i * 3 + o]) * xi;
                        refQ += wq[o * 4 + i] * xi;
                        sumAbsX += Math.abs(xi);
                    }
                    assertClose(refY, y[o * 2 + p], 0, "fp16 conv");
                    assertClose(refZ, z[o * 2 + p], 0, "transposed fp16 conv");
                    // each dequantised weight is within half a step (plus fp16 rounding) of the float weight
                    assertClose(refQ, q[o * 2 + p], sumAbsX * quantized.scale() * 0.6, "int8 conv");
                }
            }
            for (int i = 0; i < 8; i++) assertEquals(x32[i] + bias[i], s[i], "fp32 constant at " + i);
        }
    }

    private static void assertClose(double expected, float actual, double extra, String what) {
        double tolerance = Math.abs(expected) * 0x1p-10 + 0x1p-20 + extra;
        assertTrue(Math.abs(actual - expected) <= tolerance,
                what + ": expected " + expected + " +- " + tolerance + ", got " + actual);
    }

    private static float half(float v) { return Float.float16ToFloat(Float.floatToFloat16(v)); }

    private static float[] randoms(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextDouble(-2, 2);
        return v;
    }
}
