package io.github.ane4j.demo;

import io.github.ane4j.Ane;
import io.github.ane4j.CompileBudgetException;
import io.github.ane4j.DType;
import io.github.ane4j.Fp16;
import io.github.ane4j.Kernel;
import io.github.ane4j.SurfaceView;
import io.github.ane4j.kernels.TransformerDims;
import io.github.ane4j.kernels.TransformerKernels;
import io.github.ane4j.mil.MilBuilder.WeightLayout;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.TensorSpec;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import static io.github.ane4j.demo.Activation.*;

/**
 * The ops of {@link TransformerOps} as MIL kernels on the bridge ({@link TransformerKernels} programs): one
 * compiled kernel per op and layer, each program compiled once (the layers' copies are compile-cache hits
 * with surfaces of their own). Activations stay in surfaces: a kernel's output that the next op reads is
 * aliased as that op's input, so it never passes through Java; Java reads only what it needs for the weight
 * gradients and writes only what it computes (embeddings, residual sums, the loss gradient).
 *
 * <p>The {@link KernelVariant} decides where the weights live: {@code DYNAMIC}, weight surfaces rewritten by
 * {@link #loadWeights} (fp32 → fp16 through zero-copy views of the surfaces); {@code PACKED}, regions of the
 * packed inputs (then activations are copied into those inputs rather than aliased); {@code RECOMPILE},
 * constants baked into the programs, all recompiled by every {@link #loadWeights}. Confined to the thread
 * that made it, as its kernels are.
 */
final class BridgeOps implements TransformerOps {
    /**
     * Gradients are this many times larger inside the kernels than at the interface: the loss gradient of a
     * batch is about 1/(batch·seq) per logit, and deeper gradients are smaller still, where fp16 has only
     * subnormals left (below 6.1e-5). Scaling the loss, as mixed-precision training does (the upstream uses
     * 256 per layer), keeps them in fp16's normal range; reads and writes convert at the interface.
     */
    static final float LOSS_SCALE = 1024;

    private static final Set<Activation> GRADIENTS = EnumSet.of(DLOGITS, DXF, DX, DH1, DH3, DXN2, DX2, DA, DQ, DK, DV, DXN);

    /** One compiled op: its kernel, and the outputs of other stages it copies in before each eval when they
     *  could not be aliased. */
    private final class Stage {
        final MilProgram program;
        final Map<String, Function<ModelWeights, float[]>> weights = new LinkedHashMap<>();
        final List<Runnable> feeds = new ArrayList<>();
        Kernel kernel;

        Stage(MilProgram program) {
            this.program = program;
            this.kernel = ane.compile(program);
            stages.add(this);
        }

        Stage weight(String name, Function<ModelWeights, float[]> source) {
            weights.put(name, source);
            return this;
        }

        /** Index of plain activation input {@code name}, or -1 when it is a packed region or absent. */
        int input(String name) {
            List<TensorSpec> params = kernel.program().parameters();
            for (int i = 0; i < kernel.inputCount(); i++) if (params.get(i).name().equals(name)) return i;
            return -1;
        }

        /** Writes weight {@code name}: fp32 → fp16 straight into its mapped weight surface (zero-copy), or into
         *  its region of a packed input. */
        void writeWeight(String name, float[] values) {
            List<TensorSpec> params = kernel.program().parameters();
            for (int w = 0; w < kernel.weightCount(); w++) {
                if (!params.get(kernel.inputCount() + w).name().equals(name)) continue;
                try (SurfaceView view = kernel.weight(w).map()) {
                    Fp16.toFp16(values, 0, view.segment(), 0, values.length);
                }
                return;
            }
            kernel.write(name, values);
        }

        void eval() {
            for (Runnable feed : feeds) feed.run();
            kernel.eval();
        }

        float[] output(int index) { return kernel.output(index).readFloats(); }
    }

    private final ModelConfig config;
    private final KernelVariant variant;
    private final Ane ane;
    private final List<Stage> stages = new ArrayList<>();
    /** What each activation slot holds now: the surface its last producer wrote, or what Java wrote. */
    private final Map<Activation, Supplier<float[]>[]> current = new EnumMap<>(Activation.class);
    /** Where a value Java writes into an activation slot goes: the kernel inputs that read it. */
    private final Map<Activation, List<Stage>[]> writeTargets = new EnumMap<>(Activation.class);
    private final Map<Activation, String> writeNames = new EnumMap<>(Activation.class);

    private final Stage[] normAtt, qkv, att, wo, normFfn, ffn, ffnBack, normFfnBack, woBack, attBack1, attBack2, qkvBack, normAttBack;
    private final Stage normFinal, cls, clsBack, normFinalBack;

    /**
     * Compiles every kernel on {@code ane}'s backend and links them.
     *
     * @throws io.github.ane4j.MilCompileException when the backend refuses a program
     */
    BridgeOps(Ane ane, ModelConfig config, KernelVariant variant) {
        this.ane = ane;
        this.config = config;
        this.variant = variant;
        int layers = config.layers();
        TransformerKernels programs = new TransformerKernels(
                new TransformerDims(config.dim(), config.hidden(), config.heads(), config.seq(), config.vocab()),
                DType.FP16, variant == KernelVariant.PACKED ? WeightLayout.PACKED : WeightLayout.PARAMETERS);
        MilProgram rmsNorm = programs.rmsNorm(), rmsNormBackward = programs.rmsNormBackward();
        normAtt = new Stage[layers];
        qkv = new Stage[layers];
        att = new Stage[layers];
        wo = new Stage[layers];
        normFfn = new Stage[layers];
        ffn = new Stage[layers];
        ffnBack = new Stage[layers];
        normFfnBack = new Stage[layers];
        woBack = new Stage[layers];
        attBack1 = new Stage[layers];
        attBack2 = new Stage[layers];
        qkvBack = new Stage[layers];
        normAttBack = new Stage[layers];
        try {
            for (int l = 0; l < layers; l++) {
                int layer = l;
                Function<ModelWeights, LayerWeights> w = m -> m.layers[layer];
                normAtt[l] = new Stage(rmsNorm).weight("w", m -> w.apply(m).rmsAttention());
                qkv[l] = new Stage(programs.qkv()).weight("wq", m -> w.apply(m).wq()).weight("wk", m -> w.apply(m).wk())
                        .weight("wv", m -> w.apply(m).wv());
                att[l] = new Stage(programs.attention());
                wo[l] = new Stage(programs.outputProjection()).weight("w", m -> w.apply(m).wo());
                normFfn[l] = new Stage(rmsNorm).weight("w", m -> w.apply(m).rmsFfn());
                ffn[l] = new Stage(programs.ffn()).weight("w1", m -> w.apply(m).w1()).weight("w3", m -> w.apply(m).w3())
                        .weight("w2", m -> w.apply(m).w2());
                ffnBack[l] = new Stage(programs.ffnBackward()).weight("w1", m -> w.apply(m).w1())
                        .weight("w3", m -> w.apply(m).w3()).weight("w2", m -> w.apply(m).w2());
                normFfnBack[l] = new Stage(rmsNormBackward).weight("w", m -> w.apply(m).rmsFfn());
                woBack[l] = new Stage(programs.outputProjectionBackward()).weight("w", m -> w.apply(m).wo());
                attBack1[l] = new Stage(programs.attentionBackward1());
                attBack2[l] = new Stage(programs.attentionBackward2());
                qkvBack[l] = new Stage(programs.qkvBackward()).weight("wq", m -> w.apply(m).wq())
                        .weight("wk", m -> w.apply(m).wk()).weight("wv", m -> w.apply(m).wv());
                normAttBack[l] = new Stage(rmsNormBackward).weight("w", m -> w.apply(m).rmsAttention());
            }
            normFinal = new Stage(rmsNorm).weight("w", m -> m.rmsFinal);
            cls = new Stage(programs.classifier()).weight("w", m -> m.classifier);
            clsBack = new Stage(programs.classifierBackward()).weight("w", m -> m.classifier);
            normFinalBack = new Stage(rmsNormBackward).weight("w", m -> m.rmsFinal);
            link();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Every producer-consumer pair of the step; and where Java's writes go. */
    private void link() {
        int layers = config.layers();
        for (int l = 0; l < layers; l++) {
            pass(normAtt[l], 0, qkv[l], "xn");
            for (int i = 0; i < 3; i++) {
                String name = List.of("q", "k", "v").get(i);
                pass(qkv[l], i, att[l], name);
                pass(qkv[l], i, attBack1[l], name);
                if (i < 2) pass(qkv[l], i, attBack2[l], name);
            }
            pass(att[l], 0, wo[l], "x");
            pass(normFfn[l], 0, ffn[l], "xn");
            pass(ffn[l], 1, ffnBack[l], "h1");
            pass(ffn[l], 2, ffnBack[l], "h3");
            pass(ffnBack[l], 0, normFfnBack[l], "dy");
            pass(woBack[l], 0, attBack1[l], "da");
            pass(attBack1[l], 1, attBack2[l], "p");
            pass(attBack1[l], 2, attBack2[l], "dp");
            pass(attBack2[l], 0, qkvBack[l], "dq");
            pass(attBack2[l], 1, qkvBack[l], "dk");
            pass(attBack1[l], 0, qkvBack[l], "dv");
            pass(qkvBack[l], 0, normAttBack[l], "dy");
        }
        pass(normFinal, 0, cls, "x");
        pass(clsBack, 0, normFinalBack, "dy");
        pass(normFinalBack, 0, ffnBack[layers - 1], "df");

        for (Activation a : Activation.values()) {
            @SuppressWarnings("unchecked")
            Supplier<float[]>[] slots = new Supplier[a.slots(config)];
            current.put(a, slots);
        }
        for (int l = 0; l <= layers; l++) {
            writesGo(X, l, "x", l < layers ? normAtt[l] : normFinal, l < layers ? normAttBack[l] : normFinalBack);
            writesGo(DX, l, "df", l > 0 ? ffnBack[l - 1] : null);
        }
        for (int l = 0; l < layers; l++) {
            writesGo(X2, l, "x", normFfn[l], normFfnBack[l]);
            writesGo(DX2, l, "dy", woBack[l]);
        }
        writesGo(DLOGITS, 0, "dy", clsBack);
    }

    /** Output {@code out} of {@code from} becomes input {@code input} of {@code to}: the same surface where the
     *  layouts allow (parameter layout, compiled once), else a copy before each eval of {@code to}. */
    private void pass(Stage from, int out, Stage to, String input) {
        int in = to.input(input);
        if (variant == KernelVariant.DYNAMIC && in >= 0) {
            from.kernel.aliasOutputAsInput(out, to.kernel, in);
        } else if (in >= 0) {
            to.feeds.add(() -> from.kernel.copyOutputTo(out, to.kernel, in)); // recompiles keep the inputs
        } else {
            to.feeds.add(() -> to.kernel.write(input, from.output(out)));
        }
    }

    @SuppressWarnings("unchecked")
    private void writesGo(Activation a, int slot, String input, Stage... targets) {
        List<Stage>[] all = writeTargets.computeIfAbsent(a, k -> new List[a.slots(config)]);
        List<Stage> list = new ArrayList<>();
        for (Stage s : targets) if (s != null) list.add(s);
        all[slot] = list;
        writeNames.put(a, input);
    }

    @Override
    public String description() {
        return "bridge kernels on " + ane.backendName();
    }

    /** @throws CompileBudgetException (RECOMPILE on the ANE) when the compiles the new weights need would pass the
     *  budget: nothing is recompiled then */
    @Override
    public void loadWeights(ModelWeights weights) {
        if (!weights.config.equals(config)) throw new IllegalArgumentException("weights of " + weights.config + ", kernels of " + config);
        if (variant == KernelVariant.RECOMPILE) {
            recompile(weights);
            return;
        }
        for (Stage s : stages) s.weights.forEach((name, source) -> s.writeWeight(name, source.apply(weights)));
    }

    /** Bakes the weights into every program that has some and compiles it again; the copies between stages
     *  follow the new kernels (RECOMPILE never aliases). */
    private void recompile(ModelWeights weights) {
        int needed = (int) stages.stream().filter(s -> !s.weights.isEmpty()).count();
        int left = ane.compileBudget() - ane.compileBudgetUsed();
        if (ane.backendName().equals("ane") && left < needed) {
            // Refused before the first compile, so every kernel keeps the previous step's weights.
            throw new CompileBudgetException("new weights need " + needed + " compiles and the ANE compile budget has "
                    + left + " left (" + ane.compileBudgetUsed() + " of " + ane.compileBudget() + " used)");
        }
        for (Stage s : stages) {
            if (s.weights.isEmpty()) continue;
            Map<String, float[]> values = new LinkedHashMap<>();
            s.weights.forEach((name, source) -> values.put(name, source.apply(weights)));
            Kernel baked = ane.compile(s.program.bakeWeights(values));
            s.kernel.close();
            s.kernel = baked;
        }
    }

    @Override
    public float[] read(Activation a, int slot) {
        Supplier<float[]> value = slot(a, slot);
        if (value == null) throw new IllegalStateException(a + "[" + slot + "] has not been computed or written yet");
        float[] values = value.get();
        return GRADIENTS.contains(a) ? scaled(values, 1 / LOSS_SCALE) : values;
    }

    @Override
    public void write(Activation a, int slot, float[] values) {
        slot(a, slot);
        List<Stage>[] targets = writeTargets.get(a);
        if (targets == null) throw new IllegalArgumentException(a + " is computed by the kernels, not written by Java");
        if (values.length != a.length(config)) {
            throw new IllegalArgumentException(a + " holds " + a.length(config) + " values, got " + values.length);
        }
        float[] copy = GRADIENTS.contains(a) ? scaled(values, LOSS_SCALE) : values.clone();
        for (Stage s : targets[slot]) s.kernel.write(writeNames.get(a), copy);
        current.get(a)[slot] = () -> copy;
    }

    private static float[] scaled(float[] values, float factor) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) out[i] = values[i] * factor;
        return out;
    }

    private Supplier<float[]> slot(Activation a, int slot) {
        Supplier<float[]>[] slots = current.get(a);
        if (slot < 0 || slot >= slots.length) throw new IndexOutOfBoundsException(a + " has " + slots.length + " slots, not " + slot);
        return slots[slot];
    }

    /** Evaluates {@code s} and records which of its outputs now hold {@code produced[i]}'s slot. */
    private void run(Stage s, int slot, Activation... produced) {
        s.eval();
        for (int i = 0; i < produced.length; i++) {
            int out = i;
            current.get(produced[i])[slot] = () -> s.output(out);
        }
    }

    @Override public void attentionNorm(int l) { run(normAtt[l], l, XN); }
    @Override public void qkv(int l) { run(qkv[l], l, Q, K, V); }
    @Override public void attention(int l) { run(att[l], l, A); }
    @Override public void outputProjection(int l) { run(wo[l], l, O); }
    @Override public void ffnNorm(int l) { run(normFfn[l], l, XN2); }

    @Override public void ffn(int l) { run(ffn[l], l, F, H1, H3); }

    @Override public void finalNorm() { run(normFinal, 0, XF); }
    @Override public void classifier() { run(cls, 0, LOGITS); }
    @Override public void classifierBackward() { run(clsBack, 0, DXF); }
    @Override public void finalNormBackward() { run(normFinalBack, config.layers(), DX); }
    @Override public void ffnBackward(int l) { run(ffnBack[l], l, DXN2, DH1, DH3); }
    @Override public void ffnNormBackward(int l) { run(normFfnBack[l], l, DX2); }
    @Override public void outputProjectionBackward(int l) { run(woBack[l], l, DA); }

    @Override
    public void attentionBackward(int l) {
        run(attBack1[l], l, DV);
        run(attBack2[l], l, DQ, DK);
    }

    @Override public void qkvBackward(int l) { run(qkvBack[l], l, DXN); }
    @Override public void attentionNormBackward(int l) { run(normAttBack[l], l, DX); }

    @Override
    public void close() {
        for (Stage s : stages) if (s.kernel != null) s.kernel.close();
    }
}
