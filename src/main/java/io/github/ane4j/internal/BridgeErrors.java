package io.github.ane4j.internal;

import io.github.ane4j.AneEvalException;
import io.github.ane4j.AneException;
import io.github.ane4j.BackendUnavailableException;
import io.github.ane4j.CompileBudgetException;
import io.github.ane4j.MilCompileException;
import io.github.ane4j.internal.ffi.AneBridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns the bridge's thread-local last error into a typed exception. Call right after the failing bridge
 * call, on the same thread, with no bridge call in between (each call clears the error).
 */
public final class BridgeErrors {
    private BridgeErrors() {}

    /**
     * The exception for the calling thread's last bridge error, its message prefixed with {@code action}
     * (see {@link #forCode}).
     */
    public static AneException lastError(String action) {
        int code = AneBridge.ane_bridge_last_error_code();
        String reason = CStrings.read(AneBridge.ane_bridge_last_error());
        if (code == AneBridge.ANE_OK() || reason == null) {
            return new AneException(action + " failed without a reason from the native bridge");
        }
        int line = 0, column = 0;
        if (code == AneBridge.ANE_ERR_COMPILE()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment l = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment c = arena.allocate(ValueLayout.JAVA_INT);
                AneBridge.ane_bridge_last_error_position(l, c);
                line = l.get(ValueLayout.JAVA_INT, 0);
                column = c.get(ValueLayout.JAVA_INT, 0);
            }
        }
        return forCode(code, action + ": " + reason, line, column);
    }

    /**
     * The exception type for a bridge error code: {@link MilCompileException} (with {@code line} and
     * {@code column}) for compile errors, {@link AneEvalException}, {@link BackendUnavailableException},
     * {@link CompileBudgetException}, else {@link AneException}.
     */
    public static AneException forCode(int code, String message, int line, int column) {
        if (code == AneBridge.ANE_ERR_COMPILE()) return new MilCompileException(message, line, column);
        if (code == AneBridge.ANE_ERR_EVAL()) return new AneEvalException(message);
        if (code == AneBridge.ANE_ERR_UNAVAILABLE()) return new BackendUnavailableException(message);
        if (code == AneBridge.ANE_ERR_COMPILE_BUDGET()) return new CompileBudgetException(message);
        return new AneException(message);
    }

    /** Throws {@link #lastError} when the previous bridge call (one that returns nothing) failed. */
    public static void check(String action) {
        if (AneBridge.ane_bridge_last_error_code() != AneBridge.ANE_OK()) throw lastError(action);
    }
}
