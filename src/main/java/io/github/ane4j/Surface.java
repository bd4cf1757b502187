package io.github.ane4j;

import io.github.ane4j.internal.BridgeErrors;
import io.github.ane4j.internal.SurfaceTransfers;
import io.github.ane4j.internal.ffi.AneBridge;
import io.github.ane4j.mil.TensorSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

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
    /** The memory address on a backend that needs no lock: read once, forgotten when aliasing replaces the
     *  surface. Guarded by the kernel state's monitor. */
    private MemorySegment base;

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
     * @param fp16 one value per element, row-major
     * @throws IllegalArgumentException when the surface is not fp16 or the length is not the element count
     */
    public void write(short[] fp16) {
        kernel.checkUsable();
        requireDType(DType.FP16, "write(short[])");
        requireLength(Objects.requireNonNull(fp16, "fp16").length);
        transfer(true, MemorySegment.ofArray(fp16), DType.FP16);
    }

    /**
     * Writes floats, converted to the surface's dtype: rounded to nearest even for fp16 (by the CPU's vector
     * conversion where it has one: F16C, AVX-512, NEON), copied for fp32.
     *
     * @param values one value per element, row-major
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
        transfer(true, MemorySegment.ofArray(values), DType.FP32);
    }

    /**
     * Copies {@link #byteSize()} bytes from {@code src}, which must hold values in the surface's dtype and
     * native byte order. {@code src} may be a heap or a native segment, at any alignment.
     *
     * @param src the values
     * @throws IllegalArgumentException when {@code src.byteSize()} differs from {@link #byteSize()}
     * @throws IllegalStateException    when {@code src}'s arena is closed, or the kernel is
     */
    public void write(MemorySegment src) {
        kernel.checkUsable();
        requireSegmentSize(Objects.requireNonNull(src, "src"));
        transfer(true, src, dtype());
    }

    /** The contents as floats: fp16 and integer types converted exactly, fp32 copied.
     *  @return a new array of one value per element
     *  @throws IllegalArgumentException when the element count exceeds a Java array (use {@link #map()}) */
    public float[] readFloats() {
        kernel.checkUsable();
        float[] values = new float[arrayLength()];
        transfer(false, MemorySegment.ofArray(values), DType.FP32);
        return values;
    }

    /** Reads the contents as floats into {@code dst}, as {@link #readFloats()} does.
     *  @param dst one slot per element
     *  @throws IllegalArgumentException when the length is not the element count */
    public void read(float[] dst) {
        kernel.checkUsable();
        requireLength(Objects.requireNonNull(dst, "dst").length);
        transfer(false, MemorySegment.ofArray(dst), DType.FP32);
    }

    /** The raw fp16 values (IEEE binary16 bits).
     *  @return a new array of one value per element
     *  @throws IllegalArgumentException when the surface is not fp16 */
    public short[] readShorts() {
        kernel.checkUsable();
        requireDType(DType.FP16, "readShorts()");
        short[] values = new short[arrayLength()];
        transfer(false, MemorySegment.ofArray(values), DType.FP16);
        return values;
    }

    /** Copies the {@link #byteSize()} bytes of the surface into {@code dst} (a heap or native segment).
     *  @param dst where the bytes go
     *  @throws IllegalArgumentException when {@code dst.byteSize()} differs from {@link #byteSize()} or
     *                                  {@code dst} is read-only */
    public void read(MemorySegment dst) {
        kernel.checkUsable();
        requireSegmentSize(Objects.requireNonNull(dst, "dst"));
        if (dst.isReadOnly()) throw new IllegalArgumentException("dst is a read-only segment");
        transfer(false, dst, dtype());
    }

    /**
     * Locks the surface for CPU reads and writes and returns a view whose segment is the surface memory (no
     * copy). The lock is held until the view is closed; closing the kernel on its thread closes its views
     * (see {@link SurfaceView} for a close from another thread). On a backend whose surfaces are plain memory
     * (the reference backend) there is no lock to take, and mapping costs no native call.
     *
     * @return the view; close it (try-with-resources) when done
     * @throws IllegalStateException when the kernel is closed
     */
    public SurfaceView map() {
        kernel.checkUsable();
        KernelState state = kernel.state();
        synchronized (state) {
            state.checkOpen();
            MemorySegment memory = state.needsLock() ? lock() : base();
            Arena arena = Arena.ofConfined();
            SurfaceView view = new SurfaceView(this, arena, memory.reinterpret(byteSize, arena, null));
            state.addView(view);
            return view;
        }
    }

    @Override
    public String toString() {
        return kind.label() + " " + index + " (" + spec + ")";
    }

    Kernel kernel() { return kernel; }

    /**
     * Writes {@code count} floats from {@code src[srcOffset..]} into the surface from element {@code first} on,
     * converted as {@link #write(float[])} does (a region of a packed input, for {@link Kernel#write}).
     * The caller has checked the dtype and both ranges.
     */
    void writeRange(long first, float[] src, int srcOffset, int count) {
        transfer(true, first, MemorySegment.ofArray(src).asSlice(4L * srcOffset, 4L * count), DType.FP32, count);
    }

    /** Forgets the memory address: aliasing just replaced the surface behind this slot. Call with the kernel
     *  state's monitor held. */
    void forgetBase() { base = null; }

    /** Undoes the lock of a view. Call with the kernel state's monitor held. */
    void unlockView() {
        KernelState state = kernel.state();
        if (state.needsLock()
                && AneBridge.ane_bridge_surface_unlock(state.address(), kind.nativeCode(), index, 0) != 0) {
            throw BridgeErrors.lastError("unlock " + this);
        }
    }

    /** The whole surface to or from {@code data}, which holds its elements as {@code dataType}. */
    private void transfer(boolean writing, MemorySegment data, DType dataType) {
        transfer(writing, 0, data, dataType, data.byteSize() / dataType.byteSize());
    }

    /**
     * Moves {@code count} elements between {@code data} (as {@code dataType}: the surface's dtype, copied, or
     * fp32, converted) and the surface from element {@code first} on: one native call that locks, copies or
     * converts with the CPU's vector instructions, and unlocks, per chunk of
     * {@link SurfaceTransfers#CHUNK_BYTES} (a critical call: the chunks bound how long it holds off the GC).
     */
    private void transfer(boolean writing, long first, MemorySegment data, DType dataType, long count) {
        long chunk = SurfaceTransfers.CHUNK_BYTES / Math.max(dataType.byteSize(), dtype().byteSize());
        KernelState state = kernel.state();
        synchronized (state) {
            state.checkOpen();
            if (count <= chunk) { // apart from the loop, so the JIT can keep the caller's segment off the heap
                move(writing, state, first, data, dataType, count);
                return;
            }
            for (long done = 0; done < count; done += chunk) {
                long n = Math.min(chunk, count - done);
                move(writing, state, first + done, data.asSlice(done * dataType.byteSize(), n * dataType.byteSize()), dataType, n);
            }
        }
    }

    /** One native call: see {@link #transfer}. */
    private void move(boolean writing, KernelState state, long first, MemorySegment data, DType dataType, long count) {
        int result = writing
                ? SurfaceTransfers.write(state.address(), kind.nativeCode(), index, first, data, dataType.nativeCode(), count)
                : SurfaceTransfers.read(state.address(), kind.nativeCode(), index, first, data, dataType.nativeCode(), count);
        if (result != 0) throw BridgeErrors.lastError((writing ? "write " : "read ") + this);
    }

    /** Call with the kernel state's monitor held, after checkOpen. */
    private MemorySegment lock() {
        MemorySegment memory = AneBridge.ane_bridge_surface_lock(kernel.state().address(), kind.nativeCode(), index, 0);
        if (memory.equals(MemorySegment.NULL)) throw BridgeErrors.lastError("lock " + this);
        return memory;
    }

    /** The surface memory, for a backend that needs no lock. Call with the kernel state's monitor held,
     *  after checkOpen. */
    private MemorySegment base() {
        if (base == null) {
            base = AneBridge.ane_bridge_surface_pointer(kernel.state().address(), kind.nativeCode(), index);
            if (base.equals(MemorySegment.NULL)) throw BridgeErrors.lastError("map " + this);
        }
        return base;
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
