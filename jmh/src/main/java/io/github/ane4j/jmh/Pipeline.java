package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Kernel;
import io.github.ane4j.kernels.TransformerKernels;
import io.github.ane4j.mil.MilBuilder.WeightLayout;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.TensorSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Transformer kernels run one after another as a training loop runs them: named fp32 tensors pass between
 * stages through Java arrays; each stage writes its activations by name ({@link Kernel#write(String, float[])}:
 * a parameter, or a region of a packed input, whatever the layout), evaluates, and reads its outputs.
 * Weights are written by {@link #writeWeights()}: each weight into every kernel that reads it.
 *
 * <p>Tensors that no stage produces are made up once, reproducibly: weights named {@code rms…} are 1,
 * other weights uniform in ±1/√in, activations uniform in ±1.
 */
final class Pipeline implements AutoCloseable {
    /** One evaluation: the kernel, and which tensor each of its parameters and outputs is. */
    record Stage(Kernel kernel, Map<String, String> activations, Map<String, String> weights, Map<Integer, String> outputs) {}

    private final Ane ane;
    private final Map<String, MilProgram> programs;
    private final Map<String, MilProgram> plainPrograms;
    private final Map<String, float[]> tensors = new HashMap<>();
    private final List<Runnable> steps = new ArrayList<>();
    private final List<Stage> stages = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(2024);

    Pipeline(Ane ane, TransformerKernels family) {
        this.ane = ane;
        this.programs = family.all();
        this.plainPrograms = new TransformerKernels(family.dims(), family.dtype(), WeightLayout.PARAMETERS).all();
    }

    /**
     * Adds an eval of kernel {@code name} of the family. {@code bindings} pairs each parameter name of the
     * kernel with a tensor name, then each output, in the kernel's order, e.g.
     * {@code "x", "l0.x", "w", "l0.rms1", "y", "l0.xn1"}.
     */
    Pipeline eval(String name, String... bindings) {
        MilProgram plain = plainPrograms.get(name);
        Map<String, String> binding = new LinkedHashMap<>();
        for (int i = 0; i < bindings.length; i += 2) binding.put(bindings[i], bindings[i + 1]);
        Map<String, String> activations = new LinkedHashMap<>(), weights = new LinkedHashMap<>();
        List<TensorSpec> params = plain.parameters();
        int firstWeight = params.size() - plain.weightCount();
        for (int i = 0; i < params.size(); i++) {
            TensorSpec p = params.get(i);
            String tensor = required(binding, p.name(), name);
            tensor(tensor, p.elementCount(), i >= firstWeight ? initialWeight(p) : 1.0);
            (i >= firstWeight ? weights : activations).put(p.name(), tensor);
        }
        // Outputs by position: the bindings left after the parameters, in the order the kernel returns them
        // (their names are the documented ones; the programs may name their results otherwise).
        List<String> returned = new ArrayList<>();
        binding.forEach((param, tensor) -> {
            if (params.stream().noneMatch(p -> p.name().equals(param))) returned.add(tensor);
        });
        if (returned.size() != plain.outputs().size()) {
            throw new IllegalArgumentException(name + " returns " + plain.outputs().size() + " values, " + returned.size() + " bound");
        }
        Map<Integer, String> outputs = new LinkedHashMap<>();
        for (int o = 0; o < returned.size(); o++) {
            tensors.put(returned.get(o), new float[(int) plain.outputs().get(o).elementCount()]);
            outputs.put(o, returned.get(o));
        }
        Stage stage = new Stage(ane.compile(programs.get(name)), activations, weights, outputs);
        stages.add(stage);
        steps.add(() -> run(stage));
        return this;
    }

    /** Adds a step in Java: {@code into = a + b} (a residual connection or a gradient sum). */
    Pipeline add(String a, String b, String into) {
        float[] x = tensor(a), y = tensor(b);
        float[] z = tensors.computeIfAbsent(into, k -> new float[x.length]);
        steps.add(() -> {
            for (int i = 0; i < z.length; i++) z[i] = x[i] + y[i];
        });
        return this;
    }

    /** Adds a step in Java: the gradient of the mean cross-entropy of {@code logits} [V, S] (channel-first)
     *  against fixed target tokens, into {@code into}. */
    Pipeline crossEntropyGradient(String logits, String into, int vocab, int seq) {
        float[] z = tensor(logits);
        float[] g = tensors.computeIfAbsent(into, k -> new float[z.length]);
        int[] targets = random.ints(seq, 0, vocab).toArray();
        steps.add(() -> {
            for (int t = 0; t < seq; t++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int v = 0; v < vocab; v++) max = Math.max(max, z[v * seq + t]);
                for (int v = 0; v < vocab; v++) sum += Math.exp(z[v * seq + t] - max);
                for (int v = 0; v < vocab; v++) {
                    double p = Math.exp(z[v * seq + t] - max) / sum;
                    g[v * seq + t] = (float) ((p - (v == targets[t] ? 1 : 0)) / seq);
                }
            }
        });
        return this;
    }

    /** Runs every step in order. */
    void run() {
        for (Runnable step : steps) step.run();
    }

    /** Writes every weight into every kernel that reads it (fp32 → the kernel's dtype). */
    void writeWeights() {
        for (Stage s : stages) s.weights().forEach((param, tensor) -> s.kernel().write(param, tensors.get(tensor)));
    }

    /** Every (kernel, weight parameter, tensor) this pipeline writes, in {@link #writeWeights()} order. */
    List<Stage> stages() { return stages; }

    /** The tensor of that name. */
    float[] tensor(String name) {
        float[] t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name + " yet: bind it as an output first");
        return t;
    }

    /** Number of weight elements written by {@link #writeWeights()}. */
    long weightElements() {
        long n = 0;
        for (Stage s : stages) for (String t : s.weights().values()) n += tensors.get(t).length;
        return n;
    }

    @Override
    public void close() {
        for (Stage s : stages) s.kernel().close();
    }

    private void run(Stage s) {
        s.activations().forEach((param, tensor) -> s.kernel().write(param, tensors.get(tensor)));
        s.kernel().eval();
        s.outputs().forEach((index, tensor) -> s.kernel().output(index).read(tensors.get(tensor)));
    }

    /** The tensor, made up when new: uniform in ±scale, or 1 for a scale of 0. */
    private void tensor(String name, long count, double scale) {
        tensors.computeIfAbsent(name, k -> {
            float[] v = new float[Math.toIntExact(count)];
            for (int i = 0; i < v.length; i++) v[i] = scale == 0 ? 1f : (float) random.nextDouble(-scale, scale);
            return v;
        });
    }

    /** 0 (all ones) for RMSNorm gains, else 1/√in for a [1, out, in] matrix. */
    private static double initialWeight(TensorSpec p) {
        long[] shape = p.shape();
        return shape.length == 4 ? 0 : 1 / Math.sqrt(shape[shape.length - 1]);
    }

    private static String required(Map<String, String> binding, String name, String kernel) {
        String tensor = binding.get(name);
        if (tensor == null) throw new IllegalArgumentException(kernel + ": no tensor bound to " + name);
        return tensor;
    }

    /** Largest |a − b| over the largest |a|: how far two runs of the same pipeline disagree. */
    static double relativeDifference(float[] a, float[] b) {
        double diff = 0, largest = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            largest = Math.max(largest, Math.abs(a[i]));
        }
        return diff / largest;
    }
}
