package io.github.ane4j.jmh;

import io.github.ane4j.Kernel;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The baselines: the bridge's C functions, and the C library's {@code memcpy}, called through plain FFM
 * downcalls made here (the ordinary way to call C from Java), bypassing ane4j's Java API, on the native
 * handle of a {@link Kernel} the API compiled.
 *
 * <p>Use it only after {@code Ane.open()}: that loads the bridge with {@code System.load} into the
 * application class loader, which also loaded this class, so the loader lookup finds that very library
 * instance and the API's handles are valid here.
 */
final class DirectBridge {
    private static final SymbolLookup BRIDGE = SymbolLookup.loaderLookup();
    private static final MethodHandle EVAL = bridge("ane_bridge_eval", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle WRITE_INPUT_F32 = bridge("ane_bridge_write_input_f32",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE_WEIGHT_F32 = bridge("ane_bridge_write_weight_f32",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ_OUTPUT_F32 = bridge("ane_bridge_read_output_f32",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SURFACE_POINTER = bridge("ane_bridge_surface_pointer",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMCPY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("memcpy").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));

    /** {@code ane_surface_kind} codes. */
    static final int INPUT = 0, OUTPUT = 2;

    private DirectBridge() {}

    /** {@code bool ane_bridge_eval(ANEKernelHandle *kernel)}. */
    static boolean eval(MemorySegment kernel) {
        try {
            return (boolean) EVAL.invokeExact(kernel);
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_eval", t);
        }
    }

    /** {@code void ane_bridge_write_input_f32(ANEKernelHandle *kernel, int idx, const float *data, size_t count)}. */
    static void writeInputF32(MemorySegment kernel, int index, MemorySegment floats, long count) {
        try {
            WRITE_INPUT_F32.invokeExact(kernel, index, floats, count);
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_write_input_f32", t);
        }
    }

    /** {@code void ane_bridge_write_weight_f32(ANEKernelHandle *kernel, int idx, const float *data, size_t count)}. */
    static void writeWeightF32(MemorySegment kernel, int index, MemorySegment floats, long count) {
        try {
            WRITE_WEIGHT_F32.invokeExact(kernel, index, floats, count);
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_write_weight_f32", t);
        }
    }

    /** {@code void ane_bridge_read_output_f32(ANEKernelHandle *kernel, int idx, float *data, size_t count)}. */
    static void readOutputF32(MemorySegment kernel, int index, MemorySegment floats, long count) {
        try {
            READ_OUTPUT_F32.invokeExact(kernel, index, floats, count);
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_read_output_f32", t);
        }
    }

    /** {@code ane_bridge_surface_pointer}: the surface's memory, {@code bytes} long, with no arena. */
    static MemorySegment surfacePointer(MemorySegment kernel, int kind, int index, long bytes) {
        try {
            MemorySegment p = (MemorySegment) SURFACE_POINTER.invokeExact(kernel, kind, index);
            if (p.equals(MemorySegment.NULL)) throw new IllegalStateException("no surface " + kind + "/" + index);
            return p.reinterpret(bytes);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("ane_bridge_surface_pointer", t);
        }
    }

    /** The C library's {@code memcpy(dst, src, bytes)}. */
    static void memcpy(MemorySegment dst, MemorySegment src, long bytes) {
        try {
            MemorySegment ignored = (MemorySegment) MEMCPY.invokeExact(dst, src, bytes);
        } catch (Throwable t) {
            throw new AssertionError("memcpy", t);
        }
    }

    /**
     * The native handle of {@code kernel}, as a raw pointer with no arena: the baseline calls pay for the
     * downcall only, not for the liveness checks of the kernel's arena. Kernel keeps its handle private, so
     * this reads it by reflection (the class path opens every package). Valid until the kernel is closed.
     */
    static MemorySegment handle(Kernel kernel) {
        try {
            Field stateField = Kernel.class.getDeclaredField("state");
            stateField.setAccessible(true);
            Object state = stateField.get(kernel);
            Method handleMethod = state.getClass().getDeclaredMethod("handle");
            handleMethod.setAccessible(true);
            MemorySegment handle = (MemorySegment) handleMethod.invoke(state);
            return MemorySegment.ofAddress(handle.address());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the native handle of " + kernel
                    + ": the benchmark expects Kernel.state with a handle() method", e);
        }
    }

    private static MethodHandle bridge(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = BRIDGE.find(name).orElseThrow(() -> new IllegalStateException(
                name + " is not in a library this class loader loaded: call Ane.open() before using DirectBridge"));
        return Linker.nativeLinker().downcallHandle(symbol, descriptor);
    }
}
