package io.github.ane4j;

import io.github.ane4j.internal.ffi.AneBridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The native side of a {@link Kernel}: its handle, the shared arena that frees it, and its open views.
 * Kept apart from {@code Kernel} so the Cleaner and the owning {@link Ane} can close it without keeping the
 * kernel reachable.
 *
 * <p>Safety comes from the arena: the handle and every surface segment handed out while copying are scoped
 * to it, so once it is closed any further use throws IllegalStateException, and closing it while a
 * downcall holds the handle fails (the close is then retried until the call returns). Open views are
 * confined to the owner thread and their memory is not scoped to this arena, so a close from another
 * thread (by {@link Ane#close()} or the Cleaner) defers freeing the kernel until the owner closes its last
 * view; the kernel itself refuses use at once.
 */
final class KernelState implements Runnable {
    private final Arena arena;
    private final MemorySegment handle;
    private final Thread owner;
    private final Consumer<KernelState> onRelease;
    private final List<SurfaceView> views = new ArrayList<>();
    private volatile boolean closed;
    private boolean released;

    /** Takes ownership of {@code rawHandle}; {@code onRelease} runs once, after the native kernel is freed. */
    KernelState(MemorySegment rawHandle, Thread owner, Consumer<KernelState> onRelease) {
        this.arena = Arena.ofShared();
        this.handle = rawHandle.reinterpret(arena, AneBridge::ane_bridge_free);
        this.owner = owner;
        this.onRelease = onRelease;
    }

    MemorySegment handle() { return handle; }

    Arena arena() { return arena; }

    Thread owner() { return owner; }

    boolean isClosed() { return closed; }

    /** The Cleaner's action. */
    @Override
    public void run() { close(); }

    /** Idempotent, from any thread. On the owner thread open views are closed first. */
    void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (Thread.currentThread() == owner) {
                for (SurfaceView v : views) v.invalidate(true);
                views.clear();
            }
            if (!views.isEmpty()) return;
            release();
        }
        onRelease.accept(this);
    }

    /** Records an open view; refuses (invalidating it) when the kernel was closed meanwhile. */
    synchronized void addView(SurfaceView view) {
        if (closed) {
            view.invalidate(!released);
            throw new IllegalStateException("kernel is closed");
        }
        views.add(view);
    }

    /** Closes an open view; frees the kernel when it was closed from another thread and this was its last view. */
    void removeView(SurfaceView view) {
        synchronized (this) {
            if (!views.remove(view)) return;
            view.invalidate(true);
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

    /** Closes the arena, which frees the native kernel; waits while another thread's downcall holds it. */
    private void release() {
        released = true;
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException heldByADowncall) {
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
