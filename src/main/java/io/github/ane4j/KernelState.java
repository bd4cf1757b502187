package io.github.ane4j;

import io.github.ane4j.internal.ffi.AneBridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The native side of a {@link Kernel}: its handle, the shared arena whose closing frees it (from any
 * thread), and its open views.
 * Kept apart from {@code Kernel} so the Cleaner and the owning {@link Ane} can close it without keeping the
 * kernel reachable.
 *
 * <p>Every native call on the handle happens while holding this object's monitor, after
 * {@link #checkOpen()}; closing takes the monitor too. So a close from another thread ({@link Ane#close()}
 * or the Cleaner) waits for a call in progress, and later calls throw IllegalStateException instead of
 * touching freed memory. Open views are confined to the owner thread and their segments are not scoped to
 * this state, so a close from another thread defers freeing the kernel until the owner closes its last
 * view; the kernel refuses other use at once.
 */
final class KernelState implements Runnable {
    private final Arena arena;
    private final MemorySegment handle;
    private final MemorySegment address;
    private final boolean needsLock;
    private final Thread owner;
    private final Consumer<KernelState> onRelease;
    private final List<SurfaceView> views = new ArrayList<>();
    private volatile boolean closed;

    /** Takes ownership of {@code rawHandle}; {@code onRelease} runs once, after the native kernel is freed. */
    KernelState(MemorySegment rawHandle, Thread owner, Consumer<KernelState> onRelease) {
        this.arena = Arena.ofShared();
        this.handle = rawHandle.reinterpret(arena, AneBridge::ane_bridge_free);
        this.address = MemorySegment.ofAddress(rawHandle.address());
        this.needsLock = AneBridge.ane_bridge_surface_needs_lock(address) != 0;
        this.owner = owner;
        this.onRelease = onRelease;
    }

    MemorySegment handle() { return handle; }

    /** The handle without the arena: a downcall taking it skips the shared arena's acquire and release
     *  (two atomic updates). Use it only with the monitor held, after {@link #checkOpen()}: that, not the
     *  arena, is what keeps the kernel alive then. */
    MemorySegment address() { return address; }

    /** Whether CPU access to the surfaces needs the bridge's lock and unlock (false: plain memory). */
    boolean needsLock() { return needsLock; }

    Thread owner() { return owner; }

    boolean isClosed() { return closed; }

    /** Call with the monitor held, before using the handle. */
    void checkOpen() {
        if (closed) throw new IllegalStateException("kernel is closed");
    }

    /** The Cleaner's action. */
    @Override
    public void run() { close(); }

    /** Idempotent, from any thread. On the owner thread open views are closed first. */
    void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (Thread.currentThread() == owner) {
                for (SurfaceView v : views) v.invalidate();
                views.clear();
            }
            if (!views.isEmpty()) return;
            release();
        }
        onRelease.accept(this);
    }

    /** Records an open view. Call with the monitor held, after {@link #checkOpen()}. */
    void addView(SurfaceView view) { views.add(view); }

    /** Closes an open view; frees the kernel when it was closed from another thread and this was its last view. */
    void removeView(SurfaceView view) {
        synchronized (this) {
            if (!views.remove(view)) return;
            view.invalidate();
            if (!closed || !views.isEmpty()) return;
            release();
        }
        onRelease.accept(this);
    }

    /** Whether an open view holds surface ({@code kind}, {@code index}). */
    synchronized boolean isMapped(Surface.Kind kind, int index) {
        for (SurfaceView v : views) {
            if (v.surface().kind() == kind && v.surface().index() == index) return true;
        }
        return false;
    }

    /** Closes the arena, which frees the native kernel. */
    private void release() { arena.close(); }
}
