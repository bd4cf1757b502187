package io.github.ane4j;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Whole-surface copies larger than one native call moves (they go in chunks), from and to heap and native
 * memory; expected fp16 bits come from {@link Float#floatToFloat16}, not from ane4j.
 */
class SurfaceTransferTest {
    /** 300 rows of 1024: 307,200 elements, several chunks for fp32 and for fp16 data, and a partial last one. */
    static final int ROWS = 300, COLS = 1024, COUNT = ROWS * COLS;

    Ane ane;
    Kernel kernel;

    @BeforeEach
    void open() {
        ane = Ane.open(Backend.REFERENCE);
        kernel = ane.compile(Programs.addSelf(ROWS, COLS));
    }

    @AfterEach
    void close() { ane.close(); }

    /** Distinct values that need rounding: i / 7 - 20000 spans the fp16 range's normal numbers. */
    static float[] values() {
        float[] v = new float[COUNT];
        for (int i = 0; i < COUNT; i++) v[i] = i / 7f - 20000f;
        return v;
    }

    static short[] fp16(float[] values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Float.floatToFloat16(values[i]);
        return bits;
    }

    @Test
    void floatWriteLargerThanOneChunkConvertsEveryElement() {
        float[] v = values();
        kernel.input(0).write(v);
        assertArrayEquals(fp16(v), kernel.input(0).readShorts());
    }

    @Test
    void floatReadLargerThanOneChunkConvertsEveryElement() {
        short[] bits = fp16(values());
        kernel.input(0).write(bits);
        float[] read = new float[COUNT];
        kernel.input(0).read(read);
        for (int i = 0; i < COUNT; i += 997) assertEquals(Float.float16ToFloat(bits[i]), read[i], "element " + i);
        assertEquals(Float.float16ToFloat(bits[COUNT - 1]), read[COUNT - 1]);
    }

    @Test
    void nativeAndHeapSegmentsCopyTheSameBytes() {
        short[] bits = fp16(values());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocateFrom(ValueLayout.JAVA_SHORT, bits);
            kernel.input(0).write(offHeap);
            short[] back = new short[COUNT];
            kernel.input(0).read(MemorySegment.ofArray(back));
            assertArrayEquals(bits, back);
            kernel.input(0).write(MemorySegment.ofArray(new short[COUNT]));
            MemorySegment out = arena.allocate(2L * COUNT);
            kernel.input(0).read(out);
            assertEquals(0, out.getAtIndex(ValueLayout.JAVA_SHORT, COUNT - 1));
        }
    }

    @Test
    void readIntoAReadOnlySegmentIsRefused() {
        MemorySegment readOnly = MemorySegment.ofArray(new short[COUNT]).asReadOnly();
        assertThrows(IllegalArgumentException.class, () -> kernel.output(0).read(readOnly));
    }

    @Test
    void writeFromAClosedArenaThrowsAndLeavesTheSurface() {
        MemorySegment gone;
        try (Arena arena = Arena.ofConfined()) {
            gone = arena.allocate(2L * COUNT);
        }
        assertThrows(IllegalStateException.class, () -> kernel.input(0).write(gone));
        assertEquals(0f, kernel.input(0).readFloats()[0]);
    }

    @Test
    void aMapAfterAliasingSeesTheSharedSurface() {
        try (Kernel next = ane.compile(Programs.addSelf(ROWS, COLS))) {
            try (SurfaceView before = next.input(0).map()) {
                before.segment().setAtIndex(ValueLayout.JAVA_SHORT, 0, Float.floatToFloat16(5f));
            }
            kernel.aliasOutputAsInput(0, next, 0);
            float[] x = new float[COUNT];
            x[0] = 1.5f;
            kernel.input(0).write(x);
            kernel.eval();
            try (SurfaceView after = next.input(0).map(); SurfaceView out = kernel.output(0).map()) {
                assertEquals(out.segment().address(), after.segment().address());
                assertEquals(3f, Float.float16ToFloat(after.segment().getAtIndex(ValueLayout.JAVA_SHORT, 0)));
            }
        }
    }
}
