package io.github.ane4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A zero-copy view of a {@link Surface}: {@link #segment()} is the surface memory itself, locked for CPU
 * access while the view is open. Obtain with {@link Surface#map()}. Close it before {@link Kernel#eval()}:
 * evaluating while a view is open is allowed, but the kernel's surface contents are then unspecified
 * (the ANE sees CPU writes only after the unlock).
 *
 * <p>Confined to the kernel's thread. The segment is valid until this view is closed, or its kernel is
 * closed on the kernel's thread (a close from another thread, such as {@link Ane#close()}, leaves open
 * views valid until they are closed); touching it afterwards throws IllegalStateException. Closing is
 * idempotent.
 */
public final class SurfaceView implements AutoCloseable {
    private final Surface surface;
    private final Arena arena;
    private final MemorySegment segment;

    SurfaceView(Surface surface, Arena arena, MemorySegment segment) {
        this.surface = surface;
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * {@return the surface memory} {@link Surface#byteSize()} bytes, dense row-major in the surface's dtype,
     * native byte order, 64-byte aligned. Readable and writable from the kernel's thread only.
     *
     * @throws IllegalStateException when this view or its kernel is closed
     * @throws WrongThreadException  when called from another thread
     */
    public MemorySegment segment() {
        surface.kernel().checkThread();
        if (!arena.scope().isAlive()) throw new IllegalStateException("view of " + surface + " is closed");
        return segment;
    }

    /** {@return the surface this view maps} */
    public Surface surface() { return surface; }

    /** Unlocks the surface and ends the segment. Idempotent.
     *  @throws WrongThreadException when called from another thread than the kernel's */
    @Override
    public void close() {
        surface.kernel().checkThread();
        if (!arena.scope().isAlive()) return;
        surface.kernel().state().removeView(this);
    }

    /** Ends the segment and unlocks the surface. Called once, on the kernel's thread, by the kernel state
     *  under its lock and before it frees the native kernel. */
    void invalidate() {
        arena.close();
        surface.unlockView();
    }
}
