package io.github.ane4j;

import io.github.ane4j.internal.BridgeErrors;
import io.github.ane4j.internal.NativeLibrary;
import io.github.ane4j.internal.ffi.AneBridge;

import java.util.function.IntSupplier;

/**
 * Bounds on what one compile may ask for, so that a MIL program from an untrusted source (a model file, a
 * generated kernel, a program sent over a network) is refused with a clear error instead of exhausting the
 * process's memory.
 *
 * <pre>{@code
 * Limit.KERNEL_BYTES.set(8L << 30);   // allow kernels of up to 8 GiB
 * }</pre>
 *
 * <p>Every size a program implies is computed with overflow-checked arithmetic and compared with these
 * limits before anything is allocated for it. A program past a limit is refused with a
 * {@link MilCompileException} whose message names the limit, its value and how to raise it, with the line
 * and column of the cause where there is one.
 *
 * <p>The limits are process-wide (they belong to the native library, shared by every {@link Ane} session
 * and by C callers, who use {@code ane_bridge_set_limit}) and thread-safe. A new value applies to compiles
 * that start afterwards; a program already in the compile cache is reused as it was compiled, though
 * {@link #KERNEL_BYTES} is checked again for every kernel. The defaults fit a real model with room to spare:
 * a Stories110M layer (dim 768, hidden 2048, seq 256) uses under 2 % of each, and a whole 12-layer
 * model with its weights as BLOBFILE constants fits {@link #KERNEL_BYTES}. Each method loads the native
 * library on first use.
 */
public enum Limit {
    /** Bytes of one input, weight or output surface. Default 1 GiB; at least 1. */
    SURFACE_BYTES(AneBridge::ANE_LIMIT_SURFACE_BYTES, 1, Long.MAX_VALUE),
    /** Bytes one kernel holds: its surfaces, its constants and the backend's working memory for its
     *  intermediate values, as the backend stores them (the reference backend keeps constants as fp32).
     *  Default 4 GiB; at least 1. */
    KERNEL_BYTES(AneBridge::ANE_LIMIT_KERNEL_BYTES, 1, Long.MAX_VALUE),
    /** Elements of one constant: a literal or a BLOBFILE tensor. Default 2<sup>28</sup>; at least 1. */
    CONSTANT_ELEMENTS(AneBridge::ANE_LIMIT_CONSTANT_ELEMENTS, 1, Long.MAX_VALUE),
    /** Statements of one program, all functions together. Default 100,000; 1 to 2<sup>31</sup> - 1. */
    STATEMENTS(AneBridge::ANE_LIMIT_STATEMENTS, 1, Integer.MAX_VALUE),
    /** Brackets nested in one another. Default 64; 1 to 2<sup>31</sup> - 1. */
    NESTING_DEPTH(AneBridge::ANE_LIMIT_NESTING_DEPTH, 1, Integer.MAX_VALUE),
    /** Entries of one list: the values of a literal, the arguments or attributes of a statement, the
     *  parameters, results or outputs of a function, the names of a tuple, the functions of a program, the
     *  weight files of a compile. Default 2<sup>20</sup>; 1 to 2<sup>31</sup> - 1. */
    LIST_ENTRIES(AneBridge::ANE_LIMIT_LIST_ENTRIES, 1, Integer.MAX_VALUE),
    /** Memory the compile cache keeps for programs that no open kernel uses (their parsed text, plans and
     *  constants), so that compiling them again is free. Least recently used programs go first; at most 64
     *  are kept whatever this says. Default 512 MiB; 0 keeps none. Lowering it frees programs at once. */
    IDLE_CACHE_BYTES(AneBridge::ANE_LIMIT_IDLE_CACHE_BYTES, 0, Long.MAX_VALUE);

    private final IntSupplier nativeCode;
    private final long min;
    private final long max;

    Limit(IntSupplier nativeCode, long min, long max) {
        this.nativeCode = nativeCode;
        this.min = min;
        this.max = max;
    }

    /** The current value.
     *  @return the value compiles starting now are checked against */
    public long get() {
        NativeLibrary.load();
        long value = AneBridge.ane_bridge_get_limit(nativeCode.getAsInt());
        if (value < 0) throw BridgeErrors.lastError("get limit " + this);
        return value;
    }

    /**
     * Sets the value for compiles that start from now on, in the whole process.
     *
     * @param value the new bound, in the unit of this limit (bytes, elements, statements, levels or entries)
     * @throws IllegalArgumentException when {@code value} is below the minimum (1, or 0 for
     *                                  {@link #IDLE_CACHE_BYTES}) or, for the counts, above
     *                                  {@link Integer#MAX_VALUE}; nothing changes then
     */
    public void set(long value) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("Limit." + this + " must be between " + min + " and " + max + ", got "
                    + value);
        }
        NativeLibrary.load();
        if (AneBridge.ane_bridge_set_limit(nativeCode.getAsInt(), value) != 0) {
            throw BridgeErrors.lastError("set limit " + this);
        }
    }

    /** The value the library starts with.
     *  @return the default, as documented on each constant */
    public long defaultValue() {
        NativeLibrary.load();
        long value = AneBridge.ane_bridge_default_limit(nativeCode.getAsInt());
        if (value < 0) throw BridgeErrors.lastError("default of limit " + this);
        return value;
    }

    /** Sets the default value back: {@code set(defaultValue())}. */
    public void reset() { set(defaultValue()); }
}
