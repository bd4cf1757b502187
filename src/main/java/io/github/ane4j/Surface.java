package io.github.ane4j;

import io.github.ane4j.internal.BridgeErrors;
import io.github.ane4j.internal.ffi.AneBridge;
import io.github.ane4j.mil.TensorSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One tensor buffer of a {@link Kernel}: an activation input, a dynamic weight, or an output. It holds the
 * tensor of {@link #spec()} dense and row-major in its dtype, in native byte order: {@link #byteSize()} =
 * element count × dtype size.
 *
 * <p>Reads and writes copy whole tensors: array lengths must equal the element count and segment sizes the
 * byte size. For zero-copy access use {@link #map()}. Reads, writes and {@code map()} belong to the
 * kernel's thread (WrongThreadException elsewhere) and throw IllegalStateException once the kernel is
 * closed; the description ({@link #kind()}, {@link #index()}, {@link #spec()} and the sizes) is
 * readable from any thread at any time. Contents start as zeros, persist across evals, and are shared
 * with another kernel after {@link Kernel#aliasOutputAsInput}.
 */
public final class Surface {
    /** The role of a surface in its kernel. */
    public enum Kind {
        /** An activation input: one of the first function parameters. */
        INPUT,
        /** A dynamic weight: one of the trailing function parameters of {@link Ane#compileDynamic}. */
        WEIGHT,
        /** A returned value. */
        OUTPUT;

        int nativeCode() {
            return switch (this) {
                case INPUT -> AneBridge.ANE_SURFACE_INPUT();
                case WEIGHT -> AneBridge.ANE_SURFACE_WEIGHT();
                case OUTPUT -> AneBridge.ANE_SURFACE_OUTPUT();
            };
        }

        String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final Kernel kernel;
    private final Kind kind;
    private final int index;
    private final TensorSpec spec;
    private final long byteSize;

    Surface(Kernel kernel, Kind kind, int index, TensorSpec spec) {
        this.kernel = kernel;
        this.kind = kind;
        this.index = index;
        this.spec = spec;
        this.byteSize = spec.byteSize();
    }

    /** {@return input, weight or output} */
    public Kind kind() { return kind; }

    /** {@return the position among the kernel's surfaces of the same kind} */
    public int index() { return index; }

    /** {@return the name, dtype and shape, from the MIL signature} */
    public TensorSpec spec() { return spec; }

    /** {@return the element type} */
    public DType dtype() { return spec.dtype(); }

    /** {@return the number of elements} */
    public long elementCount() { return spec.elementCount(); }

    /** {@return the size in bytes: element count × dtype size} */
    public long byteSize() { return byteSize; }

    /**
     * Writes raw fp16 values (IEEE binary16 bits).
     *
     * @param fp16 one value per element
     * @throws IllegalArgumentException when the surface is not fp16 or the length is not the element count
     */
    public void write(short[] fp16) {
        kernel.checkUsable();
        requireDType(DType.FP16, "write(short[])");
        requireLength(Objects.requireNonNull(fp16, "fp16").length);
        access(false, memory -> MemorySegment.copy(fp16, 0, memory, ValueLayout.JAVA_SHORT, 0, fp16.length));
    }

    /**
     * Writes floats, converted to the surface's dtype: rounded to nearest even for fp16, copied for fp32.
     *
     * @param values one value per element
     * @throws IllegalArgumentException when the surface is not fp16 or fp32 (use {@link #write(MemorySegment)}),
     *                                  or the length is not the element count
     */
    public void write(float[] values) {
        kernel.checkUsable();
        if (dtype() != DType.FP16 && dtype() != DType.FP32) {
            throw new IllegalArgumentException("write(float[]) converts to fp16 or fp32, but " + this + " holds "
                    + dtype().milName() + "; use write(MemorySegment) with " + dtype().milName() + " values");
        }
        requireLength(Objects.requireNonNull(values, "values").length);
        access(false, memory -> {
            if (dtype() == DType.FP16) {
                Fp16.toFp16(values, 0, memory, 0, values.length);
            } else {
                MemorySegment.copy(values, 0, memory, ValueLayout.JAVA_FLOAT, 0, values.length);
            }
        });
    }

    /**
     * Copies {@link #byteSize()} bytes from {@code src}, which must hold values in the surface's dtype and
     * native byte order.
     *
     * @param src the bytes to copy, exactly {@link #byteSize()} of them
     * @throws IllegalArgumentException when {@code src.byteSize()} differs from {@link #byteSize()}
     */
    public void write(MemorySegment src) {
        kernel.checkUsable();
        requireSegmentSize(Objects.requireNonNull(src, "src"));
        access(false, memory -> MemorySegment.copy(src, 0, memory, 0, byteSize));
    }

    /** {@return the contents as floats: fp16 and integer types converted exactly, fp32 copied}
     *  @throws IllegalArgumentException when the element count exceeds a Java array (use {@link #map()}) */
    public float[] readFloats() {
        kernel.checkUsable();
        float[] values = new float[arrayLength()];
        readInto(values);
        return values;
    }

    /** Reads the contents as floats into {@code dst}, as {@link #readFloats()} does.
     *  @param dst one float per element
     *  @throws IllegalArgumentException when the length is not the element count */
    public void read(float[] dst) {
        kernel.checkUsable();
        requireLength(Objects.requireNonNull(dst, "dst").length);
        readInto(dst);
    }

    /** {@return the raw fp16 values (IEEE binary16 bits)}
     *  @throws IllegalArgumentException when the surface is not fp16 */
    public short[] readShorts() {
        kernel.checkUsable();
        requireDType(DType.FP16, "readShorts()");
        short[] values = new short[arrayLength()];
        access(true, memory -> MemorySegment.copy(memory, ValueLayout.JAVA_SHORT, 0, values, 0, values.length));
        return values;
    }

    /** Copies the {@link #byteSize()} bytes of the surface into {@code dst}.
     *  @param dst where the bytes go, exactly {@link #byteSize()} of them
     *  @throws IllegalArgumentException when {@code dst.byteSize()} differs from {@link #byteSize()} */
    public void read(MemorySegment dst) {
        kernel.checkUsable();
        requireSegmentSize(Objects.requireNonNull(dst, "dst"));
        access(true, memory -> MemorySegment.copy(memory, 0, dst, 0, byteSize));
    }

    /**
     * Locks the surface for CPU reads and writes and returns a view whose segment is the surface memory (no
     * copy). The lock is held until the view is closed; closing the kernel on its thread closes its views
     * (see {@link SurfaceView} for a close from another thread).
     *
     * @return an open view, to be closed on this kernel's thread
     * @throws IllegalStateException when the kernel is closed
     */
    public SurfaceView map() {
        kernel.checkUsable();
        synchronized (kernel.state()) {
            MemorySegment base = lockBase(false);
            Arena arena = Arena.ofConfined();
            SurfaceView view = new SurfaceView(this, arena, base.reinterpret(byteSize, arena, null));
            kernel.state().addView(view);
            return view;
        }
    }

    @Override
    public String toString() {
        return kind.label() + " " + index + " (" + spec + ")";
    }

    Kernel kernel() { return kernel; }

    /** Runs {@code body} on the locked surface memory while holding the kernel state's monitor. The segment
     *  is unscoped (so copy loops vectorise) and must not escape {@code body}: only the monitor keeps the
     *  kernel, and so the memory, alive. */
    private void access(boolean readOnly, Consumer<MemorySegment> body) {
        synchronized (kernel.state()) {
            MemorySegment memory = lockBase(readOnly).reinterpret(byteSize);
            try {
                body.accept(memory);
            } finally {
                unlock(readOnly);
            }
        }
    }

    /** Call with the kernel state's monitor held. */
    private MemorySegment lockBase(boolean readOnly) {
        kernel.state().checkOpen();
        MemorySegment base = AneBridge.ane_bridge_surface_lock(kernel.state().handle(), kind.nativeCode(), index,
                readOnly ? 1 : 0);
        if (base.equals(MemorySegment.NULL)) throw BridgeErrors.lastError("lock " + this);
        return base;
    }

    /** Call with the kernel state's monitor held. */
    void unlock(boolean readOnly) {
        if (AneBridge.ane_bridge_surface_unlock(kernel.state().handle(), kind.nativeCode(), index, readOnly ? 1 : 0) != 0) {
            throw BridgeErrors.lastError("unlock " + this);
        }
    }

    private void readInto(float[] dst) {
        access(true, memory -> {
            switch (dtype()) {
                case FP16 -> Fp16.toFloat(memory, 0, dst, 0, dst.length);
                case FP32 -> MemorySegment.copy(memory, ValueLayout.JAVA_FLOAT, 0, dst, 0, dst.length);
                case INT32 -> { for (int i = 0; i < dst.length; i++) dst[i] = memory.getAtIndex(ValueLayout.JAVA_INT, i); }
                case INT8 -> { for (int i = 0; i < dst.length; i++) dst[i] = memory.get(ValueLayout.JAVA_BYTE, i); }
                case UINT8 -> { for (int i = 0; i < dst.length; i++) dst[i] = memory.get(ValueLayout.JAVA_BYTE, i) & 0xFF; }
            }
        });
    }

    private void requireDType(DType expected, String method) {
        if (dtype() != expected) {
            throw new IllegalArgumentException(method + " needs an " + expected.milName() + " surface, but " + this
                    + " holds " + dtype().milName());
        }
    }

    private void requireLength(int length) {
        if (length != elementCount()) {
            throw new IllegalArgumentException(this + " has " + elementCount() + " elements, but the array has " + length);
        }
    }

    private void requireSegmentSize(MemorySegment segment) {
        if (segment.byteSize() != byteSize) {
            throw new IllegalArgumentException(this + " has " + byteSize + " bytes, but the segment has " + segment.byteSize());
        }
    }

    private int arrayLength() {
        if (elementCount() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(this + " has " + elementCount() + " elements, more than a Java array holds; use map()");
        }
        return (int) elementCount();
    }
}
