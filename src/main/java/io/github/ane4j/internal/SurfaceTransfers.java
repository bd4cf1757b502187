package io.github.ane4j.internal;

import io.github.ane4j.internal.ffi.AneBridge;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The bridge's element transfers ({@code ane_bridge_surface_write} / {@code _read}) bound as critical
 * downcalls with heap access: a Java array goes to the C conversion or copy as it is, with no thread-state
 * transition and no staging copy. A critical call holds off safepoints (and so garbage collection) while
 * it runs, so callers split large transfers into {@link #CHUNK_BYTES} pieces.
 */
public final class SurfaceTransfers {
    /** At most this many bytes per call on either side: about 10 µs of copying or converting. */
    public static final long CHUNK_BYTES = 256 * 1024;

    private static final MethodHandle WRITE = critical(AneBridge.ane_bridge_surface_write$address(),
            AneBridge.ane_bridge_surface_write$descriptor());
    private static final MethodHandle READ = critical(AneBridge.ane_bridge_surface_read$address(),
            AneBridge.ane_bridge_surface_read$descriptor());

    private SurfaceTransfers() {}

    /** {@code ane_bridge_surface_write}; {@code src} may be a heap or a native segment. 0, or -1 with the
     *  bridge's last error set.
     *  @throws IllegalStateException when {@code src}'s arena is closed (WrongThreadException: another
     *                                thread's confined arena) */
    public static int write(MemorySegment kernel, int kind, int index, long first, MemorySegment src, int dtype, long count) {
        try {
            return (int) WRITE.invokeExact(kernel, kind, index, first, src, dtype, count);
        } catch (RuntimeException | Error e) {
            throw e; // a closed or foreign arena of the caller's segment
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_surface_write", t);
        }
    }

    /** {@code ane_bridge_surface_read}; {@code dst} may be a heap or a native segment. 0, or -1 with the
     *  bridge's last error set. Throws as {@link #write} does. */
    public static int read(MemorySegment kernel, int kind, int index, long first, MemorySegment dst, int dtype, long count) {
        try {
            return (int) READ.invokeExact(kernel, kind, index, first, dst, dtype, count);
        } catch (RuntimeException | Error e) {
            throw e; // a closed or foreign arena of the caller's segment
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_surface_read", t);
        }
    }

    private static MethodHandle critical(MemorySegment address, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(address, descriptor, Linker.Option.critical(true));
    }
}
