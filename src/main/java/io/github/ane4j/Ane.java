package io.github.ane4j;

import io.github.ane4j.internal.BridgeErrors;
import io.github.ane4j.internal.CStrings;
import io.github.ane4j.internal.NativeLibrary;
import io.github.ane4j.internal.ffi.AneBridge;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.TensorSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Entry point: a session on one backend that compiles MIL programs into {@link Kernel}s.
 *
 * <pre>{@code
 * try (Ane ane = Ane.open();
 *      Kernel k = ane.compileDynamic(MilProgram.parse(mil), 1)) {
 *     k.weight(0).write(weights);
 *     k.input(0).write(x);
 *     k.eval();
 *     float[] y = k.output(0).readFloats();
 * }
 * }</pre>
 *
 * <p>On the {@code ane} backend every compile that reaches the ANE's compiler counts against a per-process
 * budget ({@link #compileBudget()}); past it, compiling throws {@link CompileBudgetException}.
 *
 * <p>Thread-safe: any thread may compile; each kernel is then confined to the thread that compiled it.
 * Closing the session closes every kernel it compiled that is still open (from any thread; it waits for
 * a call in progress on another thread to return) and every open {@link RealtimeScope}. After close, every
 * method but {@code close()} and {@link #backendName()} throws IllegalStateException.
 *
 * <p>The native library is loaded on the first {@code open}: the file named by the system property
 * {@code ane4j.library.path} when set, else the copy bundled in the jar for this platform, extracted to
 * {@code ane4j.cache.dir} (default {@code ~/.cache/ane4j}, then the temporary folder). The JVM needs
 * {@code --enable-native-access=io.github.ane4j} (module path) or {@code =ALL-UNNAMED} (class path).
 */
public final class Ane implements AutoCloseable {
    private final String backendName;
    private final Set<KernelState> kernels = new LinkedHashSet<>();
    private final Set<RealtimeScope> scopes = new LinkedHashSet<>();
    private boolean closed;

    private Ane(String backendName) { this.backendName = backendName; }

    /** Opens a session on the Apple Neural Engine when available, else on the reference backend.
     *  @return the session; close it when done
     *  @see #open(Backend) */
    public static Ane open() { return open(Backend.AUTO); }

    /**
     * Opens a session on {@code backend}, loading the native library on first use.
     *
     * @throws BackendUnavailableException when the backend cannot be used here, with the native reason
     * @param backend the backend to compile for, or {@link Backend#AUTO}
     * @return the session; close it when done
     * @throws UnsatisfiedLinkError        when the native library cannot be loaded (the message lists what
     *                                     was tried)
     */
    public static Ane open(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        NativeLibrary.load();
        if (AneBridge.ane_bridge_init() != 0) throw BridgeErrors.lastError("initialise the native bridge");
        if (backend == Backend.AUTO) return new Ane(CStrings.read(AneBridge.ane_bridge_backend_name()));
        try (Arena arena = Arena.ofConfined()) {
            if (AneBridge.ane_bridge_backend_available(arena.allocateFrom(backend.nativeName())) != 1) {
                AneException reason = BridgeErrors.lastError("backend " + backend.nativeName() + " is unavailable");
                throw reason instanceof BackendUnavailableException b ? b : new BackendUnavailableException(reason.getMessage());
            }
        }
        return new Ane(backend.nativeName());
    }

    /** {@return the backend this session compiles for: {@code "ane"} or {@code "reference"}} */
    public String backendName() { return backendName; }

    /**
     * Compiles a program: the parameters it marks as weights ({@link MilProgram#weightCount()}, set by
     * {@link io.github.ane4j.mil.MilBuilder} or {@link MilProgram#withWeights}) become weight surfaces, the
     * others activation inputs; the weight files it brings ({@link MilProgram#weightFiles()}) go with it. A
     * parsed program has no weights and no files: every parameter is an input.
     *
     * @param program the program
     * @return the kernel, confined to the calling thread
     * @see #compile(MilProgram, Map)
     */
    public Kernel compile(MilProgram program) { return compile(program, Map.of()); }

    /**
     * Compiles a program (see {@link #compile(MilProgram)}) whose constants also come from the given BLOBFILE
     * weight files. Every returned value becomes an output. The kernel is confined to the calling thread.
     *
     * @param weightFiles the weight files by the path written in the MIL, e.g.
     *                    {@code "@model_path/weights/wq.bin"}, each a MIL blob storage file (see
     *                    {@link WeightBlob}); the bytes are copied
     * @throws IllegalArgumentException when a file the program references is in neither the program nor
     *                                  {@code weightFiles}, or a path is in both
     * @param program     the program
     * @return the kernel, confined to the calling thread
     * @throws MilCompileException      when the backend rejects the program, with line and column
     */
    public Kernel compile(MilProgram program, Map<String, byte[]> weightFiles) {
        Objects.requireNonNull(program, "program");
        return compileDynamic(program, program.weightCount(), weightFiles);
    }

    /**
     * Compiles a program with dynamic weights: its last {@code weightCount} parameters become weight surfaces
     * ({@link Kernel#weight}), written at any time without recompiling; the others are activation inputs,
     * whatever the program marks. One or several outputs. The kernel is confined to the calling thread.
     *
     * @throws IllegalArgumentException unless 0 &lt;= weightCount &lt;= the number of parameters, or when the
     *                                  program references BLOBFILE weight files it does not bring (use the
     *                                  overload taking them)
     * @param program     the program
     * @param weightCount how many trailing parameters are weights
     * @return the kernel, confined to the calling thread
     * @throws MilCompileException      when the backend rejects the program, with line and column
     */
    public Kernel compileDynamic(MilProgram program, int weightCount) {
        return compileDynamic(program, weightCount, Map.of());
    }

    /**
     * Compiles a program with dynamic weights (see {@link #compileDynamic(MilProgram, int)}) whose constants
     * also come from BLOBFILE weight files (see {@link #compile(MilProgram, Map)}).
     *
     * @param program     the program
     * @param weightCount how many trailing parameters are weights
     * @param weightFiles the weight files by BLOBFILE path (see {@link #compile(MilProgram, Map)}); copied
     * @return the kernel, confined to the calling thread
     * @throws IllegalArgumentException for a bad {@code weightCount}, a missing weight file or one given twice
     * @throws MilCompileException      when the backend rejects the program, with line and column
     */
    public Kernel compileDynamic(MilProgram program, int weightCount, Map<String, byte[]> weightFiles) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(weightFiles, "weightFiles");
        MilProgram marked = program.withWeights(weightCount);
        Map<String, byte[]> files = new LinkedHashMap<>();
        program.weightFiles().forEach((path, bytes) -> {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            files.put(path, copy);
        });
        for (Map.Entry<String, byte[]> file : weightFiles.entrySet()) {
            if (files.containsKey(file.getKey())) {
                throw new IllegalArgumentException("weight file " + file.getKey() + " is both brought by the program and given in weightFiles");
            }
            files.put(file.getKey(), file.getValue());
        }
        List<String> missing = new ArrayList<>();
        for (String path : program.blobFiles()) if (!files.containsKey(path)) missing.add(path);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the program references weight files " + missing
                    + " that are not in weightFiles " + weightFiles.keySet());
        }
        return compile(marked, files, weightCount);
    }

    /** {@return the number of real compiles in this process, on every backend and session (compile-cache hits do
     *  not count)} */
    public int compileCount() {
        checkOpen();
        return AneBridge.ane_bridge_get_compile_count();
    }

    /** Resets the process-wide {@link #compileCount()} to 0. */
    public void resetCompileCount() {
        checkOpen();
        AneBridge.ane_bridge_reset_compile_count();
    }

    /**
     * The most real compiles the {@code ane} backend makes in this process (default 110): its compiler fails
     * silently and then crashes the process after about 119. Past it, compiling on the ANE throws
     * {@link CompileBudgetException}. Process-wide, like {@link #compileCount()}; other backends ignore it.
     *
     * @return the budget: how many real ANE compiles this process may make
     */
    public int compileBudget() {
        checkOpen();
        return AneBridge.ane_bridge_get_compile_budget();
    }

    /**
     * Sets the process-wide ANE compile budget ({@link #compileBudget()}); 0 refuses every further ANE compile.
     * Raising it past about 119 risks the crash it exists to avoid.
     *
     * @param budget the new budget (0 refuses every further real compile)
     * @throws IllegalArgumentException when {@code budget} is negative
     */
    public void setCompileBudget(int budget) {
        if (budget < 0) throw new IllegalArgumentException("the compile budget must be >= 0, got " + budget);
        checkOpen();
        if (AneBridge.ane_bridge_set_compile_budget(budget) != 0) throw BridgeErrors.lastError("set the compile budget");
    }

    /** {@return the real ANE compiles made so far in this process, successful or not; unlike
     *  {@link #compileCount()} it is never reset (loading a program the ANE still holds, and compile-cache hits,
     *  do not count)} */
    public int compileBudgetUsed() {
        checkOpen();
        return AneBridge.ane_bridge_get_compile_budget_used();
    }

    /** Begins a low-jitter burst of evals, ended by closing the returned scope.
     *  @return the scope; close it to end the burst */
    public RealtimeScope realtime() {
        synchronized (this) {
            checkOpen();
            AneBridge.ane_bridge_begin_realtime();
            BridgeErrors.check("begin realtime");
            RealtimeScope scope = new RealtimeScope(this);
            scopes.add(scope);
            return scope;
        }
    }

    /** Closes every kernel and realtime scope of this session that is still open. Idempotent. */
    @Override
    public void close() {
        List<KernelState> openKernels;
        List<RealtimeScope> openScopes;
        synchronized (this) {
            if (closed) return;
            closed = true;
            openKernels = new ArrayList<>(kernels);
            openScopes = new ArrayList<>(scopes);
        }
        for (RealtimeScope scope : openScopes) scope.close();
        for (KernelState kernel : openKernels) kernel.close();
    }

    synchronized void forget(KernelState kernel) { kernels.remove(kernel); }

    /** Kernels whose native side is not freed yet (for tests of the lifecycle). */
    synchronized int openKernelCount() { return kernels.size(); }

    synchronized void forget(RealtimeScope scope) { scopes.remove(scope); }

    private synchronized void checkOpen() {
        if (closed) throw new IllegalStateException("Ane session is closed");
    }

    private Kernel compile(MilProgram program, Map<String, byte[]> weightFiles, int weightCount) {
        checkOpen();
        List<TensorSpec> params = program.parameters();
        int inputCount = params.size() - weightCount;
        MemorySegment handle;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment text = call.allocateFrom(program.text());
            Map<String, byte[]> files = new LinkedHashMap<>(weightFiles);
            int n = files.size();
            MemorySegment names = n == 0 ? MemorySegment.NULL : call.allocate(ValueLayout.ADDRESS, n);
            MemorySegment datas = n == 0 ? MemorySegment.NULL : call.allocate(ValueLayout.ADDRESS, n);
            MemorySegment lens = n == 0 ? MemorySegment.NULL : call.allocate(ValueLayout.JAVA_LONG, n);
            int i = 0;
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                byte[] data = Objects.requireNonNull(file.getValue(), () -> "weight file " + file.getKey() + " is null");
                names.setAtIndex(ValueLayout.ADDRESS, i, call.allocateFrom(Objects.requireNonNull(file.getKey())));
                datas.setAtIndex(ValueLayout.ADDRESS, i, call.allocateFrom(ValueLayout.JAVA_BYTE, data));
                lens.setAtIndex(ValueLayout.JAVA_LONG, i, data.length);
                i++;
            }
            handle = AneBridge.ane_bridge_compile_ex(call.allocateFrom(backendName), text, text.byteSize() - 1,
                    names, datas, lens, n,
                    inputCount, sizes(call, params.subList(0, inputCount)),
                    weightCount, sizes(call, params.subList(inputCount, params.size())),
                    program.outputs().size(), sizes(call, program.outputs()));
        }
        if (handle.equals(MemorySegment.NULL)) throw BridgeErrors.lastError("compile");

        KernelState state = new KernelState(handle, Thread.currentThread(), this::forget);
        try {
            checkSurfaces(state, Surface.Kind.INPUT, params.subList(0, inputCount));
            checkSurfaces(state, Surface.Kind.WEIGHT, params.subList(inputCount, params.size()));
            checkSurfaces(state, Surface.Kind.OUTPUT, program.outputs());
            synchronized (this) {
                checkOpen();
                kernels.add(state);
            }
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
        return new Kernel(state, program, weightCount, backendName);
    }

    /** The surface byte sizes of {@code specs} as a size_t array, or NULL when there are none. */
    private static MemorySegment sizes(Arena arena, List<TensorSpec> specs) {
        if (specs.isEmpty()) return MemorySegment.NULL;
        MemorySegment sizes = arena.allocate(ValueLayout.JAVA_LONG, specs.size());
        for (int i = 0; i < specs.size(); i++) sizes.setAtIndex(ValueLayout.JAVA_LONG, i, specs.get(i).byteSize());
        return sizes;
    }

    /** The bridge parsed the program itself; a disagreement with the Java signature is a bug on one side. */
    private static void checkSurfaces(KernelState state, Surface.Kind kind, List<TensorSpec> specs) {
        int count = AneBridge.ane_bridge_surface_count(state.handle(), kind.nativeCode());
        if (count != specs.size()) {
            throw new AneException("the native bridge made " + count + " " + kind.label() + " surfaces, the MIL signature has "
                    + specs.size());
        }
        for (int i = 0; i < count; i++) {
            long size = AneBridge.ane_bridge_surface_size(state.handle(), kind.nativeCode(), i);
            int dtype = AneBridge.ane_bridge_surface_dtype(state.handle(), kind.nativeCode(), i);
            TensorSpec spec = specs.get(i);
            if (size != spec.byteSize() || dtype != spec.dtype().nativeCode()) {
                throw new AneException("the native bridge made " + kind.label() + " " + i + " " + size + " bytes of dtype "
                        + dtype + ", the MIL signature says " + spec + " = " + spec.byteSize() + " bytes of dtype "
                        + spec.dtype().nativeCode());
            }
        }
    }
}
