package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.TensorSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every public method of Kernel and Surface, with values worked out by hand. */
class KernelApiTest {
    Ane ane;

    @BeforeEach
    void open() { ane = Ane.open(Backend.REFERENCE); }

    @AfterEach
    void close() { ane.close(); }

    @Test
    void compiledKernelDescribesItsSurfacesFromTheSignature() {
        MilProgram p = Programs.dynMatmul(3, 4, 5, "fp16");
        try (Kernel k = ane.compileDynamic(p, 1)) {
            assertEquals(p.withWeights(1), k.program(), "the program, its last parameter marked as a weight");
            assertEquals(1, k.program().weightCount());
            assertEquals("reference", k.backendName());
            assertEquals(1, k.inputCount());
            assertEquals(1, k.weightCount());
            assertEquals(1, k.outputCount());
            assertFalse(k.isClosed());

            Surface x = k.input(0), w = k.weight(0), out = k.output(0);
            assertEquals(Surface.Kind.INPUT, x.kind());
            assertEquals(Surface.Kind.WEIGHT, w.kind());
            assertEquals(Surface.Kind.OUTPUT, out.kind());
            assertEquals(0, w.index());
            assertEquals(new TensorSpec("x", DType.FP16, new long[] {1, 4, 1, 5}), x.spec());
            assertEquals(new TensorSpec("W", DType.FP16, new long[] {1, 3, 4}), w.spec());
            assertEquals(new TensorSpec("out", DType.FP16, new long[] {1, 3, 5}), out.spec());
            assertEquals(DType.FP16, out.dtype());
            assertEquals(20, x.elementCount());
            assertEquals(40, x.byteSize());
            assertEquals(24, w.byteSize());
            assertEquals(30, out.byteSize());
            assertTrue(x.toString().contains("input 0") && x.toString().contains("x"), x.toString());
            assertTrue(k.toString().contains("reference"), k.toString());
        }
    }

    @Test
    void compileWithoutWeightsMakesEveryParameterAnInput() {
        try (Kernel k = ane.compile(Programs.sumAndProduct(2, 3))) {
            assertEquals(2, k.inputCount());
            assertEquals(0, k.weightCount());
            assertEquals(2, k.outputCount());
            assertEquals("y", k.input(1).spec().name());
            assertEquals("prod", k.output(1).spec().name());
        }
    }

    @Test
    void multiOutputDynamicKernelComputesBothOutputs() {
        float[] x = {1, 2, 3, -4, 0.5f, 6};
        float[] y = {2, 2, -1, 0.25f, 4, 0};
        try (Kernel k = ane.compileDynamic(Programs.sumAndProduct(2, 3), 1)) {
            assertEquals(1, k.inputCount());
            assertEquals(1, k.weightCount());
            assertEquals(2, k.outputCount());
            k.input(0).write(x);
            k.weight(0).write(y);
            k.eval();
            assertArrayEquals(new float[] {3, 4, 2, -3.75f, 4.5f, 6}, k.output(0).readFloats());
            assertArrayEquals(new float[] {2, 4, -3, -1, 2, 0}, k.output(1).readFloats());
        }
    }

    @Test
    void blobFileWeightsAreReadFromTheGivenFiles() {
        // W [out=3, in=4] and x [4 channels, 2 positions]; y = W x worked out by hand.
        float[] w = {1, 0, 0, 0, 0.5f, 0.5f, 0, 0, 1, -1, 1, -1};
        float[] x = {1, -1, 2, 0.5f, 3, 4, -2, 1};
        float[] expected = {1, -1, 1.5f, -0.25f, 4, 1.5f};
        String path = "@model_path/weights/w.bin";
        MilProgram p = Programs.blobConv(4, 3, 2, path);
        try (Kernel k = ane.compile(p, Map.of(path, BlobFiles.singleFp16(w)))) {
            assertEquals(DType.FP32, k.input(0).dtype());
            k.input(0).write(x);
            k.eval();
            assertArrayEquals(expected, k.output(0).readFloats());
        }
    }

    @Test
    void dynamicWeightsAndBlobFileConstantsCombine() {
        // out = W x + b with W = [[1,2],[3,4]], x = [[1,0],[0,1]] (so W x = W) and b = [[10,20],[30,40]].
        String path = "@model_path/weights/bias.bin";
        MilProgram p = Programs.dynMatmulWithBlobBias(2, 2, 2, path);
        try (Kernel k = ane.compileDynamic(p, 1, Map.of(path, BlobFiles.singleFp16(new float[] {10, 20, 30, 40})))) {
            assertEquals(1, k.weightCount());
            k.input(0).write(new float[] {1, 0, 0, 1});
            k.weight(0).write(new float[] {1, 2, 3, 4});
            k.eval();
            assertArrayEquals(new float[] {11, 22, 33, 44}, k.output(0).readFloats());
        }
    }

    @Test
    void rawFp16WritesAndReadsKeepTheBits() {
        short[] bits = new short[32];
        for (int i = 0; i < bits.length; i++) bits[i] = (short) (0x3C00 + i); // 1.0 and the next 31 halves
        try (Kernel k = ane.compile(Programs.addSelf(4, 8))) {
            k.input(0).write(bits);
            assertArrayEquals(bits, k.input(0).readShorts());
            k.eval();
            short[] out = k.output(0).readShorts();
            for (int i = 0; i < bits.length; i++) {
                // doubling a normal half adds 1 to its exponent field: + 0x0400
                assertEquals((short) (bits[i] + 0x0400), out[i], "element " + i);
            }
        }
    }

    @Test
    void floatWritesRoundToFp16AndReadIntoAGivenArray() {
        float[] x = new float[32];
        x[0] = 1f / 3;      // fp16 nearest: 0x3555 = 0.333251953125
        x[1] = 65504f;      // largest half
        x[2] = 1e6f;        // overflows to infinity
        x[3] = -0f;
        try (Kernel k = ane.compile(Programs.addSelf(4, 8))) {
            k.input(0).write(x);
            float[] back = new float[32];
            k.input(0).read(back);
            assertEquals(0.333251953125f, back[0]);
            assertEquals(65504f, back[1]);
            assertEquals(Float.POSITIVE_INFINITY, back[2]);
            assertEquals((short) 0x8000, k.input(0).readShorts()[3]);
        }
    }

    @Test
    void segmentWritesAndReadsCopyBytesInNativeOrder() {
        try (Kernel k = ane.compileDynamic(Programs.dynMatmul(2, 2, 2, "fp32"), 1);
             Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(16);
            for (int i = 0; i < 4; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, i + 1);  // [[1,2],[3,4]]
            MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0, 1, 1, 0);     // swaps rows
            k.input(0).write(x);
            k.weight(0).write(w);
            k.eval();
            MemorySegment out = arena.allocate(16);
            k.output(0).read(out);
            assertArrayEquals(new float[] {3, 4, 1, 2}, out.toArray(ValueLayout.JAVA_FLOAT));
            MemorySegment copy = arena.allocate(16);
            k.input(0).read(copy);
            assertEquals(-1, copy.mismatch(x), "input reads back byte for byte");
        }
    }

    @Test
    void integerOutputsReadAsFloats() {
        float[] x = {-128, -3, 0, 7, 100, 127};
        for (String dtype : new String[] {"int32", "int8"}) {
            try (Kernel k = ane.compile(Programs.castTo(dtype, x.length))) {
                assertEquals(DType.fromMilName(dtype), k.output(0).dtype());
                k.input(0).write(x);
                k.eval();
                assertArrayEquals(x, k.output(0).readFloats(), dtype);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment raw = arena.allocate(k.output(0).byteSize());
                    k.output(0).read(raw);
                    assertEquals(-3, dtype.equals("int32") ? raw.getAtIndex(ValueLayout.JAVA_INT, 1) : raw.get(ValueLayout.JAVA_BYTE, 1));
                }
            }
        }
    }

    @Test
    void surfacesStartZeroedAndKeepContentsAcrossEvals() {
        try (Kernel k = ane.compile(Programs.addSelf(2, 2))) {
            assertArrayEquals(new float[4], k.input(0).readFloats());
            k.input(0).write(new float[] {1, 2, 3, 4});
            k.eval();
            k.eval();
            assertArrayEquals(new float[] {1, 2, 3, 4}, k.input(0).readFloats());
            assertArrayEquals(new float[] {2, 4, 6, 8}, k.output(0).readFloats());
        }
    }
}
