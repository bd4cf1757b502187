package io.github.ane4j;

import io.github.ane4j.internal.BridgeErrors;
import io.github.ane4j.internal.ffi.AneBridge;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.PackedRegion;
import io.github.ane4j.mil.TensorSpec;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled MIL program with its surfaces: inputs (activations), weights (dynamic weights, see
 * {@link Ane#compileDynamic}) and outputs, in MIL signature order. Write inputs and weights, {@link #eval()},
 * read outputs; weights and inputs keep their contents across evals.
 *
 * <p><b>Threads.</b> A kernel is confined to the thread that compiled it: any method called from another
 * thread throws {@link WrongThreadException} (this includes {@link #close()}; {@link Ane#close()} may close
 * it from any thread). <b>Lifetime.</b> Close it when done; closing is idempotent and also closes its open
 * {@link SurfaceView}s. Afterwards every method except {@link #program()}, {@link #backendName()},
 * {@link #isClosed()} and {@code close()} throws {@link IllegalStateException}; misuse never crashes the
 * JVM. If another thread closes the kernel while the owner has views open, the views stay valid until the
 * owner closes them. A kernel that becomes unreachable unclosed is freed by a Cleaner, as a safety net only
 * (never while one of its views is open: the open view keeps it reachable).
 */
public final class Kernel implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final KernelState state;
    private final Cleaner.Cleanable cleanable;
    private final MilProgram program;
    private final String backendName;
    private final List<Surface> inputs;
    private final List<Surface> weights;
    private final List<Surface> outputs;

    /** Wraps a compiled kernel whose surfaces were checked against {@code program} by the caller. */
    Kernel(KernelState state, MilProgram program, int weightCount, String backendName) {
        this.state = state;
        this.program = program;
        this.backendName = backendName;
        List<TensorSpec> params = program.parameters();
        int inputCount = params.size() - weightCount;
        this.inputs = surfaces(Surface.Kind.INPUT, params.subList(0, inputCount));
        this.weights = surfaces(Surface.Kind.WEIGHT, params.subList(inputCount, params.size()));
        this.outputs = surfaces(Surface.Kind.OUTPUT, program.outputs());
        this.cleanable = CLEANER.register(this, state);
    }

    private List<Surface> surfaces(Surface.Kind kind, List<TensorSpec> specs) {
        List<Surface> list = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) list.add(new Surface(this, kind, i, specs.get(i)));
        return List.copyOf(list);
    }

    /** Runs the program once, synchronously, reading the inputs and weights and writing the outputs.
     *  @throws AneEvalException when the backend fails to run it */
    public void eval() {
        checkUsable();
        synchronized (state) {
            state.checkOpen();
            if (!AneBridge.ane_bridge_eval(state.address())) throw BridgeErrors.lastError("eval");
        }
    }

    /** Activation input {@code index} (function parameter {@code index}).
     *  @param index 0-based
     *  @return the surface
     *  @throws IndexOutOfBoundsException unless 0 &lt;= index &lt; {@link #inputCount()} */
    public Surface input(int index) { return surface(inputs, Surface.Kind.INPUT, index); }

    /** Dynamic weight {@code index} (function parameter {@code inputCount() + index}).
     *  @param index 0-based
     *  @return the surface
     *  @throws IndexOutOfBoundsException unless 0 &lt;= index &lt; {@link #weightCount()} */
    public Surface weight(int index) { return surface(weights, Surface.Kind.WEIGHT, index); }

    /** Returned value {@code index}.
     *  @param index 0-based
     *  @return the surface
     *  @throws IndexOutOfBoundsException unless 0 &lt;= index &lt; {@link #outputCount()} */
    public Surface output(int index) { return surface(outputs, Surface.Kind.OUTPUT, index); }

    /**
     * Writes the parameter {@code name} from fp32 values, row-major in its declared shape: an input or a
     * weight surface, or a region of a packed input of a program built with
     * {@link io.github.ane4j.mil.MilBuilder.WeightLayout#PACKED} (written in place, the rest of the packed
     * surface untouched). So one training loop writes its weights by name whatever the layout.
     *
     * @param name   the parameter's MIL name (or the name a packed region was declared with)
     * @param values its elements, row-major in its declared shape
     * @throws IllegalArgumentException when the program has no parameter or packed region of that name, the
     *                                  length differs from its element count, or its dtype is not fp16/fp32
     */
    public void write(String name, float[] values) {
        checkUsable();
        Objects.requireNonNull(values, "values");
        for (PackedRegion r : program.packedRegions()) {
            if (!r.name().equals(name)) continue;
            if (values.length != r.elementCount()) {
                throw new IllegalArgumentException(name + " has " + r.elementCount() + " elements, got " + values.length);
            }
            Surface packed = input(r.input());
            if (packed.dtype() != DType.FP16 && packed.dtype() != DType.FP32) {
                throw new IllegalArgumentException(packed + " is " + packed.dtype().milName() + ", not fp16 or fp32");
            }
            long width = packed.spec().shape()[3];
            // A transposed region stores logical columns as surface rows: transpose it, then copy row by row.
            float[] rows = r.transposed() ? transpose(values, (int) r.rows(), (int) r.cols()) : values;
            int rowCount = (int) (r.transposed() ? r.cols() : r.rows()), rowLength = values.length / Math.max(rowCount, 1);
            for (int i = 0; i < rowCount; i++) {
                packed.writeRange(i * width + r.offset(), rows, i * rowLength, rowLength);
            }
            return;
        }
        List<TensorSpec> params = program.parameters();
        for (int i = 0; i < params.size(); i++) {
            if (!params.get(i).name().equals(name)) continue;
            (i < inputs.size() ? inputs.get(i) : weights.get(i - inputs.size())).write(values);
            return;
        }
        throw new IllegalArgumentException("the program has no parameter or packed region named '" + name + "'");
    }

    /** {@return the number of activation inputs} */
    public int inputCount() { checkUsable(); return inputs.size(); }

    /** {@return the number of dynamic weights (0 when the program has none)} */
    public int weightCount() { checkUsable(); return weights.size(); }

    /** {@return the number of outputs} */
    public int outputCount() { checkUsable(); return outputs.size(); }

    /** {@return the program this kernel runs, its weight parameters marked} */
    public MilProgram program() { return program; }

    /** {@return the backend that compiled this kernel: {@code "ane"} or {@code "reference"}} */
    public String backendName() { return backendName; }

    /** {@return whether this kernel is closed (by {@link #close()} or {@link Ane#close()})} Any thread. */
    public boolean isClosed() { return state.isClosed(); }

    /**
     * Copies this kernel's output {@code out} into {@code dst}'s input {@code in} (a memcpy between the
     * surfaces). {@code dst} may be this kernel.
     *
     * @throws IllegalArgumentException  when the two surfaces differ in dtype or byte size
     * @param out index of this kernel's output
     * @param dst the kernel to copy into
     * @param in  index of {@code dst}'s input
     * @throws IndexOutOfBoundsException for a bad index
     * @throws WrongThreadException      when either kernel belongs to another thread
     */
    public void copyOutputTo(int out, Kernel dst, int in) {
        Surface from = output(out);
        Surface to = Objects.requireNonNull(dst, "dst").input(in);
        requireSameLayout(from, to);
        synchronized (state) {
            synchronized (dst.state) {
                state.checkOpen();
                dst.state.checkOpen();
                AneBridge.ane_bridge_copy_io(state.address(), out, dst.state.address(), in);
                BridgeErrors.check("copy " + from + " to " + to);
            }
        }
    }

    /**
     * Makes {@code dst}'s input {@code in} be this kernel's output {@code out}: the same memory, so
     * evaluating this kernel then {@code dst} passes the tensor without any copy. The shared surface lives
     * until both kernels are closed; {@code dst}'s previous input surface is released.
     *
     * @throws IllegalArgumentException  when the surfaces differ in dtype or byte size, the kernels use
     *                                   different backends, or {@code dst} is this kernel
     * @throws IllegalStateException     when {@code dst}'s input is mapped by an open {@link SurfaceView}
     * @param out index of this kernel's output
     * @param dst the kernel whose input becomes that output
     * @param in  index of {@code dst}'s input
     * @throws IndexOutOfBoundsException for a bad index
     * @throws WrongThreadException      when either kernel belongs to another thread
     */
    public void aliasOutputAsInput(int out, Kernel dst, int in) {
        Surface from = output(out);
        Surface to = Objects.requireNonNull(dst, "dst").input(in);
        if (dst == this) throw new IllegalArgumentException("a kernel's output cannot be aliased as its own input");
        requireSameLayout(from, to);
        if (!backendName.equals(dst.backendName)) {
            throw new IllegalArgumentException("cannot alias across backends: this kernel runs on " + backendName
                    + ", dst on " + dst.backendName);
        }
        synchronized (state) {
            synchronized (dst.state) {
                state.checkOpen();
                dst.state.checkOpen();
                if (dst.state.isMapped(Surface.Kind.INPUT, in)) {
                    throw new IllegalStateException(to + " of dst is mapped by an open SurfaceView; close the view first");
                }
                if (AneBridge.ane_bridge_alias_surface(state.handle(), Surface.Kind.OUTPUT.nativeCode(), out,
                        dst.state.handle(), Surface.Kind.INPUT.nativeCode(), in) != 0) {
                    throw BridgeErrors.lastError("alias " + from + " as " + to);
                }
                to.forgetBase();
            }
        }
    }

    /** Frees the native kernel and every surface no other kernel aliases, after closing open views.
     *  Idempotent. @throws WrongThreadException when called from another thread */
    @Override
    public void close() {
        checkThread();
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "Kernel[" + backendName + ", " + inputs.size() + " inputs, " + weights.size() + " weights, "
                + outputs.size() + " outputs" + (state.isClosed() ? ", closed]" : "]");
    }

    KernelState state() { return state; }

    void checkThread() {
        Thread current = Thread.currentThread();
        if (current != state.owner()) {
            throw new WrongThreadException("kernel is confined to thread \"" + state.owner().getName()
                    + "\" that compiled it; called from \"" + current.getName() + "\"");
        }
    }

    void checkUsable() {
        checkThread();
        if (state.isClosed()) throw new IllegalStateException("kernel is closed");
    }

    private Surface surface(List<Surface> list, Surface.Kind kind, int index) {
        checkUsable();
        if (index < 0 || index >= list.size()) {
            throw new IndexOutOfBoundsException(kind.label() + " index " + index + " is out of range: the kernel has "
                    + list.size() + " " + kind.label() + (list.size() == 1 ? "" : "s"));
        }
        return list.get(index);
    }

    /** {@code values} [rows, cols] row-major, transposed to [cols, rows]. */
    private static float[] transpose(float[] values, int rows, int cols) {
        float[] t = new float[values.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) t[j * rows + i] = values[i * cols + j];
        }
        return t;
    }

    private static void requireSameLayout(Surface from, Surface to) {
        if (from.dtype() != to.dtype() || from.byteSize() != to.byteSize()) {
            throw new IllegalArgumentException(from + " has " + from.byteSize() + " bytes of " + from.dtype().milName()
                    + ", but " + to + " has " + to.byteSize() + " bytes of " + to.dtype().milName());
        }
    }
}
