package io.github.ane4j;

import io.github.ane4j.internal.ffi.AneBridge;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A burst of evals with lower latency jitter, from {@link Ane#realtime()} until {@link #close()}. The
 * ANE backend enters its real-time mode for the duration; the reference backend ignores it. Scopes nest and
 * are process-wide. Closing is idempotent and allowed from any thread; closing the {@link Ane} closes its
 * open scopes.
 */
public final class RealtimeScope implements AutoCloseable {
    private final Ane ane;
    private final AtomicBoolean open = new AtomicBoolean(true);

    RealtimeScope(Ane ane) { this.ane = ane; }

    /** {@return whether this scope is still open} */
    public boolean isOpen() { return open.get(); }

    /** Ends this scope (once). */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) return;
        AneBridge.ane_bridge_end_realtime();
        ane.forget(this);
    }
}
