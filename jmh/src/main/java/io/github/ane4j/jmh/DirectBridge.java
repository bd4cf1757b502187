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
 * The baselines: the bridge's C functions called through plain FFM downcalls made here, bypassing ane4j's
 * Java API, on the native handle of a {@link Kernel} the API compiled.
 *
 * <p>Use it only after {@code Ane.open()}: that loads the bridge with {@code System.load} into the
 * application class loader, which also loaded this class, so the loader lookup finds that very library
 * instance and the API's handles are valid here.
 */
final class DirectBridge {
    private static final SymbolLookup BRIDGE = SymbolLookup.loaderLookup();
    private static final MethodHandle EVAL =
            downcall("ane_bridge_eval", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle WRITE_INPUT_F32 =
            downcall("ane_bridge_write_input_f32", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));

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

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = BRIDGE.find(name).orElseThrow(() -> new IllegalStateException(
                name + " is not in a library this class loader loaded: call Ane.open() before using DirectBridge"));
        return Linker.nativeLinker().downcallHandle(symbol, descriptor);
    }
}
