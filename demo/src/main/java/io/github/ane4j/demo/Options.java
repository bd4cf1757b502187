package io.github.ane4j.demo;

import io.github.ane4j.Backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The demo's command line: {@code --name value} or {@code --name=value}, flags without a value. Fields
 * hold the defaults until {@link #parse} sets them; treat a parsed object as read-only.
 */
final class Options {
    // What shapes the training trajectory (saved in checkpoints): see TrainingConfig.
    int dim = 64, hidden = 192, heads = 4, layers = 2, seq = 64;
    boolean tiedClassifier = true;
    int batch = 8, steps = 1000, warmup = 20;
    double learningRate = 5e-3;
    /** NaN: a tenth of the learning rate. */
    double minLearningRate = Double.NaN;
    boolean cosine = true;
    double beta1 = 0.9, beta2 = 0.95, weightDecay = 0.1, clip = 1.0;
    long seed = 42;

    // How this run goes.
    /** 0: {@link #steps}. */
    int stopAt = 0;
    Backend backend = Backend.AUTO;
    Path out = Path.of("demo", "target", "demo-out");
    /** 0: a tenth of the steps. */
    int evalEvery = 0;
    int validationWindows = 16;
    int sampleLength = 240;
    double temperature = 0.8;
    Path save, resume;
    boolean compareRecompile, comparePacked, help;

    private record Option(String name, String argument, String help, Function<Options, Object> shown,
                          BiConsumer<Options, Value> set) {
        boolean isFlag() { return argument.isEmpty(); }
    }

    /** An option's value with the parsers the options need; failures name the option. */
    private record Value(String option, String text) {
        int positive() {
            int v = integer();
            if (v <= 0) throw new UsageException(option + " must be positive, got " + v);
            return v;
        }

        int nonNegative() {
            int v = integer();
            if (v < 0) throw new UsageException(option + " must be 0 or more, got " + v);
            return v;
        }

        int integer() {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " needs a whole number, got '" + text + "'");
            }
        }

        long longInteger() {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " needs a whole number, got '" + text + "'");
            }
        }

        /** A finite number in [min, max) (max exclusive unless infinite). */
        double number(double min, double max) {
            double v;
            try {
                v = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " needs a number, got '" + text + "'");
            }
            if (!Double.isFinite(v) || v < min || v >= max) {
                throw new UsageException(option + " must be in [" + min + ", " + max + "), got " + text);
            }
            return v;
        }

        String oneOf(String... choices) {
            for (String c : choices) if (c.equals(text)) return c;
            throw new UsageException(option + " must be one of " + String.join(", ", choices) + ", got '" + text + "'");
        }

        Path path() {
            if (text.isEmpty()) throw new UsageException(option + " needs a file or folder name");
            return Path.of(text);
        }
    }

    private static final double NO_LIMIT = Double.POSITIVE_INFINITY;

    private static final List<Option> OPTIONS = List.of(
            new Option("--dim", "N", "channels of the residual stream", o -> o.dim, (o, v) -> o.dim = v.positive()),
            new Option("--hidden", "N", "channels of the SwiGLU feed-forward layer", o -> o.hidden, (o, v) -> o.hidden = v.positive()),
            new Option("--heads", "N", "attention heads (must divide --dim)", o -> o.heads, (o, v) -> o.heads = v.positive()),
            new Option("--layers", "N", "transformer blocks", o -> o.layers, (o, v) -> o.layers = v.positive()),
            new Option("--seq", "N", "characters per window (and learned positions)", o -> o.seq, (o, v) -> o.seq = v.positive()),
            new Option("--classifier", "tied|separate", "classifier: the token embedding or its own matrix",
                    o -> o.tiedClassifier ? "tied" : "separate", (o, v) -> o.tiedClassifier = v.oneOf("tied", "separate").equals("tied")),
            new Option("--steps", "N", "optimizer steps of the run (the schedule's length)", o -> o.steps, (o, v) -> o.steps = v.positive()),
            new Option("--batch", "N", "windows per step (gradients summed, loss averaged)", o -> o.batch, (o, v) -> o.batch = v.positive()),
            new Option("--lr", "X", "peak learning rate", o -> o.learningRate, (o, v) -> o.learningRate = v.number(Double.MIN_VALUE, NO_LIMIT)),
            new Option("--min-lr", "X", "learning rate at the end of the cosine schedule",
                    o -> Double.isNaN(o.minLearningRate) ? "lr/10" : o.minLearningRate, (o, v) -> o.minLearningRate = v.number(0, NO_LIMIT)),
            new Option("--warmup", "N", "steps of linear warm-up", o -> o.warmup, (o, v) -> o.warmup = v.nonNegative()),
            new Option("--schedule", "cosine|constant", "learning rate after the warm-up",
                    o -> o.cosine ? "cosine" : "constant", (o, v) -> o.cosine = v.oneOf("cosine", "constant").equals("cosine")),
            new Option("--beta1", "X", "AdamW's first-moment decay", o -> o.beta1, (o, v) -> o.beta1 = v.number(0, 1)),
            new Option("--beta2", "X", "AdamW's second-moment decay", o -> o.beta2, (o, v) -> o.beta2 = v.number(0, 1)),
            new Option("--weight-decay", "X", "AdamW's decoupled weight decay (not on RMSNorm gains)", o -> o.weightDecay,
                    (o, v) -> o.weightDecay = v.number(0, NO_LIMIT)),
            new Option("--clip", "X", "maximum global gradient norm, 0 for none", o -> o.clip, (o, v) -> o.clip = v.number(0, NO_LIMIT)),
            new Option("--seed", "N", "seed of the initial weights, the windows and the sample", o -> o.seed, (o, v) -> o.seed = v.longInteger()),
            new Option("--stop-at", "N", "stop after this step (to --save and --resume later); the schedule still spans --steps",
                    o -> "--steps", (o, v) -> o.stopAt = v.positive()),
            new Option("--backend", "auto|reference|ane", "the bridge backend the kernels compile for",
                    o -> o.backend.name().toLowerCase(Locale.ROOT),
                    (o, v) -> o.backend = Backend.valueOf(v.oneOf("auto", "reference", "ane").toUpperCase(Locale.ROOT))),
            new Option("--out", "DIR", "folder for the loss chart (relative to the current folder)", o -> o.out, (o, v) -> o.out = v.path()),
            new Option("--eval-every", "N", "steps between validation losses", o -> "steps/10", (o, v) -> o.evalEvery = v.positive()),
            new Option("--val-windows", "N", "validation windows (fixed, spread over the validation text)", o -> o.validationWindows,
                    (o, v) -> o.validationWindows = v.positive()),
            new Option("--sample", "N", "characters of generated text at the end, 0 for none", o -> o.sampleLength,
                    (o, v) -> o.sampleLength = v.nonNegative()),
            new Option("--temperature", "X", "sampling temperature, 0 for greedy", o -> o.temperature,
                    (o, v) -> o.temperature = v.number(0, NO_LIMIT)),
            new Option("--save", "FILE", "write a checkpoint at the end (weights, optimizer, data position, losses)",
                    o -> "none", (o, v) -> o.save = v.path()),
            new Option("--resume", "FILE", "continue from a checkpoint: its settings apply, options given here override "
                    + "all but the model's sizes", o -> "none", (o, v) -> o.resume = v.path()),
            new Option("--compare-recompile", "", "then train again with weights baked in and recompiled every step, side by side",
                    o -> "", (o, v) -> o.compareRecompile = true),
            new Option("--compare-packed", "", "then train again with weights packed into the inputs' spatial axis, side by side",
                    o -> "", (o, v) -> o.comparePacked = true),
            new Option("--help", "", "print this help and exit", o -> "", (o, v) -> o.help = true));

    /** The options of {@code args} over the defaults. @throws UsageException for a bad command line */
    static Options parse(String[] args) { return parse(args, new Options()); }

    /**
     * The options of {@code args} over the settings of {@code base} (a checkpoint's), whose model sizes
     * the command line may not change.
     *
     * @throws UsageException for a bad command line or a changed model size
     */
    static Options parse(String[] args, TrainingConfig base) {
        Options options = new Options();
        options.setTraining(base);
        parse(args, options);
        if (!options.training().sameModel(base)) {
            throw new UsageException("the model's sizes cannot change on --resume: the checkpoint has " + describe(base)
                    + ", the command line asks for " + describe(options.training()));
        }
        return options;
    }

    private static Options parse(String[] args, Options options) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h")) arg = "--help";
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "': options start with --");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            Option option = OPTIONS.stream().filter(o -> o.name.equals(name)).findFirst()
                    .orElseThrow(() -> new UsageException("unknown option " + name));
            String text;
            if (option.isFlag()) {
                if (equals >= 0) throw new UsageException(name + " takes no value");
                text = "";
            } else if (equals >= 0) {
                text = arg.substring(equals + 1);
            } else if (i + 1 < args.length) {
                text = args[++i];
            } else {
                throw new UsageException(name + " needs a value (" + option.argument + ")");
            }
            option.set.accept(options, new Value(name, text));
        }
        if (!options.help) options.check();
        return options;
    }

    /** The trajectory settings. @throws UsageException when they do not fit together */
    TrainingConfig training() {
        double minLr = Double.isNaN(minLearningRate) ? learningRate / 10 : minLearningRate;
        return new TrainingConfig(dim, hidden, heads, layers, seq, tiedClassifier, batch, steps, learningRate, minLr,
                warmup, cosine, beta1, beta2, weightDecay, clip, seed);
    }

    /** The variants to compare with the main run, in order. */
    List<KernelVariant> comparisons() {
        List<KernelVariant> variants = new ArrayList<>();
        if (compareRecompile) variants.add(KernelVariant.RECOMPILE);
        if (comparePacked) variants.add(KernelVariant.PACKED);
        return variants;
    }

    /** The step this run ends after. */
    int lastStep() { return stopAt == 0 ? steps : stopAt; }

    /** Steps between validation losses. */
    int evaluationInterval() { return evalEvery > 0 ? evalEvery : Math.max(1, steps / 10); }

    /** The help text: usage and every option with its default. */
    static String usage() {
        Options defaults = new Options();
        StringBuilder s = new StringBuilder("""
                usage: ./run demo [options]
                Trains a small Llama-style transformer as a character-level language model of the project's own
                documentation and sources, and prints its progress, a text sample and a loss chart.

                options (default in brackets):
                """);
        for (Option o : OPTIONS) {
            String left = "  " + o.name + (o.isFlag() ? "" : " " + o.argument);
            String shown = String.valueOf(o.shown.apply(defaults));
            s.append(String.format(Locale.ROOT, "%-32s %s%s%n", left, o.help, shown.isEmpty() ? "" : " [" + shown + "]"));
        }
        return s.toString();
    }

    private void check() {
        if (stopAt > steps) throw new UsageException("--stop-at " + stopAt + " is beyond --steps " + steps);
        if (dim % heads != 0) throw new UsageException("--heads " + heads + " must divide --dim " + dim);
        if (!Double.isNaN(minLearningRate) && minLearningRate > learningRate) {
            throw new UsageException("--min-lr " + minLearningRate + " is above --lr " + learningRate);
        }
    }

    private void setTraining(TrainingConfig c) {
        dim = c.dim(); hidden = c.hidden(); heads = c.heads(); layers = c.layers(); seq = c.seq();
        tiedClassifier = c.tiedClassifier(); batch = c.batch(); steps = c.steps(); learningRate = c.learningRate();
        minLearningRate = c.minLearningRate(); warmup = c.warmup(); cosine = c.cosine(); beta1 = c.beta1();
        beta2 = c.beta2(); weightDecay = c.weightDecay(); clip = c.clip(); seed = c.seed();
    }

    static String describe(TrainingConfig c) {
        return String.format(Locale.ROOT, "dim %d, hidden %d, heads %d, layers %d, seq %d, %s classifier", c.dim(),
                c.hidden(), c.heads(), c.layers(), c.seq(), c.tiedClassifier() ? "tied" : "separate");
    }
}
