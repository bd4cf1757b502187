package io.github.ane4j;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zero-copy view lifecycle: the segment is the surface memory, and it dies with the view or the kernel. */
class SurfaceViewTest {
    Ane ane;
    Kernel kernel;

    @BeforeEach
    void open() {
        ane = Ane.open(Backend.REFERENCE);
        kernel = ane.compile(Programs.addSelf(4, 8));
    }

    @AfterEach
    void close() { ane.close(); }

    @Test
    void writeThroughTheViewEvalAndRead() {
        try (SurfaceView view = kernel.input(0).map()) {
            MemorySegment s = view.segment();
            assertSame(kernel.input(0), view.surface());
            assertEquals(64, s.byteSize());
            assertEquals(0, s.address() % 64, "surfaces are 64-byte aligned");
            for (int i = 0; i < 32; i++) s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(i - 16));
        }
        kernel.eval();
        float[] out = kernel.output(0).readFloats();
        for (int i = 0; i < 32; i++) assertEquals(2f * (i - 16), out[i], "element " + i);

        try (SurfaceView view = kernel.output(0).map()) {
            assertEquals(Float.floatToFloat16(2f * 5), view.segment().getAtIndex(ValueLayout.JAVA_SHORT, 21));
        }
    }

    @Test
    void theSegmentIsTheSurfaceMemoryNotACopy() {
        try (SurfaceView first = kernel.input(0).map(); SurfaceView second = kernel.input(0).map()) {
            assertEquals(first.segment().address(), second.segment().address(), "locks nest; both views see one buffer");
            kernel.input(0).write(new float[32]);
            first.segment().setAtIndex(ValueLayout.JAVA_SHORT, 3, Float.floatToFloat16(7f));
            assertEquals(7f, kernel.input(0).readFloats()[3], "a copy read sees what the view wrote");
            float[] ones = new float[32];
            java.util.Arrays.fill(ones, 1f);
            kernel.input(0).write(ones);
            assertEquals(Float.floatToFloat16(1f), second.segment().getAtIndex(ValueLayout.JAVA_SHORT, 3),
                    "the open view sees a later copy write");
        }
    }

    @Test
    void accessAfterTheViewIsClosedThrows() {
        SurfaceView view = kernel.input(0).map();
        MemorySegment s = view.segment();
        view.close();
        view.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_SHORT, 0));
        assertThrows(IllegalStateException.class, () -> s.set(ValueLayout.JAVA_SHORT, 0, (short) 1));
        assertThrows(IllegalStateException.class, view::segment);
        kernel.eval(); // the kernel itself is unaffected
    }

    @Test
    void accessAfterTheKernelIsClosedThrows() {
        SurfaceView view = kernel.output(0).map();
        MemorySegment s = view.segment();
        kernel.close();
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_SHORT, 0));
        assertThrows(IllegalStateException.class, view::segment);
        view.close(); // already closed with the kernel: no-op
        assertThrows(IllegalStateException.class, () -> kernel.input(0).map());
    }

    @Test
    void theViewBelongsToTheKernelThread() throws Exception {
        try (SurfaceView view = kernel.input(0).map()) {
            MemorySegment s = view.segment();
            assertInstanceOf(WrongThreadException.class, failureOnAnotherThread(() -> s.get(ValueLayout.JAVA_SHORT, 0)));
            assertInstanceOf(WrongThreadException.class, failureOnAnotherThread(view::segment));
            assertInstanceOf(WrongThreadException.class, failureOnAnotherThread(view::close));
            s.set(ValueLayout.JAVA_SHORT, 0, (short) 0x3C00); // still fine here
        }
    }

    @Test
    void sessionClosedByAnotherThreadKeepsAnOpenViewValidUntilItIsClosed() throws Exception {
        SurfaceView view = kernel.input(0).map();
        view.segment().setAtIndex(ValueLayout.JAVA_SHORT, 0, Float.floatToFloat16(3f));
        CompletableFuture.runAsync(ane::close).get();
        assertTrue(kernel.isClosed());
        assertThrows(IllegalStateException.class, kernel::eval);
        assertEquals(1, ane.openKernelCount(), "the native kernel waits for the owner's view");
        assertEquals(Float.floatToFloat16(3f), view.segment().getAtIndex(ValueLayout.JAVA_SHORT, 0));
        view.close();
        assertEquals(0, ane.openKernelCount(), "closing the last view frees the kernel");
        assertThrows(IllegalStateException.class, view::segment);
    }

    @Test
    void mapOfEveryKindReadsWhatCopiesWrote() {
        try (Kernel k = ane.compileDynamic(Programs.dynMatmul(2, 2, 2, "fp16"), 1)) {
            k.weight(0).write(new float[] {1, 2, 3, 4});
            try (SurfaceView w = k.weight(0).map()) {
                short[] bits = w.segment().toArray(ValueLayout.JAVA_SHORT);
                assertArrayEquals(new short[] {0x3C00, 0x4000, 0x4200, 0x4400}, bits);
            }
        }
    }

    static Throwable failureOnAnotherThread(Runnable action) throws InterruptedException {
        try {
            CompletableFuture.runAsync(action).get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
