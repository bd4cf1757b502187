package io.github.ane4j.demo;

import io.github.ane4j.Ane;
import io.github.ane4j.AneException;
import io.github.ane4j.CompileBudgetException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * {@code ./run demo}: trains a small Llama-style transformer as a character-level language model of the
 * project's own documentation and sources, with the forward and activation-gradient ops behind
 * {@link TransformerOps}, and prints the progress, a text sample, the time split and a loss chart.
 * Its last line is {@code demo: validation loss A -> B, N compiles, S steps/s}. {@code --help} lists the
 * options. Exit codes: 0 done, 1 failed (the message says why), 2 bad command line.
 */
public final class Demo {
    /** The sample's random stream (see {@link Trainer#stream}). */
    private static final long SAMPLE_STREAM = 2;
    private static final int PROMPT_LENGTH = 40;

    private final PrintStream out;
    private final boolean terminal;

    private Demo(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        boolean terminal = System.console() != null && System.console().isTerminal();
        int code = run(args, System.out, System.err, terminal);
        if (code != 0) System.exit(code);
    }

    /** Runs the demo with {@code args}, printing to {@code out} (progress redrawn in place when
     *  {@code terminal}) and errors to {@code err}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        try {
            Options options = Options.parse(args);
            if (options.help) {
                out.print(Options.usage());
                return 0;
            }
            Checkpoint checkpoint = null;
            if (options.resume != null) {
                checkpoint = Checkpoint.read(options.resume);
                options = Options.parse(args, checkpoint.config());
                if (options.lastStep() <= checkpoint.step()) {
                    throw new UsageException(options.resume + " is at step " + checkpoint.step()
                            + ": give --steps (or --stop-at) beyond it to train further");
                }
            }
            new Demo(out, terminal).demo(options, checkpoint);
            return 0;
        } catch (UsageException e) {
            err.println("demo: " + e.getMessage());
            err.println();
            err.print(Options.usage());
            return 2;
        } catch (IOException | UncheckedIOException | AneException | IllegalArgumentException | IllegalStateException e) {
            err.println("demo: " + message(e));
            return 1;
        }
    }

    /** The message of {@code e}; file system errors, whose message is often just a path, also say what failed. */
    private static String message(Exception e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof NoSuchFileException f) return "no such file: " + f.getFile();
        if (cause instanceof FileSystemException f) return f.getMessage() + " (" + f.getClass().getSimpleName() + ")";
        return e.getMessage();
    }

    /** What one training run measured, for the comparison table and the last line. */
    private record Outcome(KernelVariant variant, String implementation, double startLoss, double endLoss,
                           int compiles, StepTimes times) {}

    private void demo(Options options, Checkpoint checkpoint) throws IOException {
        Files.createDirectories(options.out); // fail now, not after the training
        if (options.save != null) Files.createDirectories(options.save.toAbsolutePath().getParent());
        Corpus corpus = Corpus.load();
        TrainingConfig config = options.training();
        printHeader(options, config, corpus, checkpoint);
        try (Ane ane = Ane.open(options.backend)) {
            printf("backend     %s (--backend %s)%n", ane.backendName(), options.backend.name().toLowerCase(Locale.ROOT));
            Outcome main = train(KernelVariant.DYNAMIC, options, config, corpus, checkpoint, ane, true);
            List<Outcome> outcomes = new ArrayList<>(List.of(main));
            for (KernelVariant variant : options.comparisons()) {
                printf("%ncomparison  the same training again, %s%n", variant.description());
                Checkpoint again = checkpoint == null ? null : Checkpoint.read(options.resume); // the main run advanced its copy
                outcomes.add(train(variant, options, config, corpus, again, ane, false));
            }
            if (outcomes.size() > 1) printComparison(outcomes);
            printf("demo: validation loss %.3f -> %.3f, %d compiles, %.1f steps/s%n", main.startLoss, main.endLoss,
                    main.compiles, main.times.stepsPerSecond());
        }
    }

    private void printHeader(Options options, TrainingConfig config, Corpus corpus, Checkpoint checkpoint) {
        int vocab = corpus.vocabSize();
        printf("ane4j demo: a character-level Llama-style transformer, trained from Java%n");
        printf("corpus      %,d characters of the project's documentation and sources: %d distinct (uniform guess %.2f = ln %d);"
                + " training %,d, validation %,d (the last %.0f%%)%n", corpus.trainingLength() + corpus.validationLength(),
                vocab, Math.log(vocab), vocab, corpus.trainingLength(), corpus.validationLength(), Corpus.VALIDATION_FRACTION * 100);
        printf("model       %s: %,d parameters%n", Options.describe(config), config.model(vocab).parameterCount());
        printf("training    %d steps × batch %d, AdamW lr %s (%d warm-up steps, %s), betas %s/%s, weight decay %s, clip %s, seed %d%n",
                config.steps(), config.batch(), number(config.learningRate()), config.warmup(),
                config.cosine() ? "cosine to " + number(config.minLearningRate()) : "then constant",
                number(config.beta1()), number(config.beta2()), number(config.weightDecay()),
                config.clip() > 0 ? number(config.clip()) : "off", config.seed());
        if (checkpoint != null) printf("resuming    %s at step %d%n", options.resume, checkpoint.step());
    }

    /**
     * Trains with {@code variant}'s kernels from the start (or the checkpoint) to the last step; the main
     * run also prints the sample, writes the chart and saves.
     */
    private Outcome train(KernelVariant variant, Options options, TrainingConfig config, Corpus corpus, Checkpoint checkpoint,
                          Ane ane, boolean main) throws IOException {
        int compilesBefore = ane.compileCount();
        IntSupplier compiles = () -> ane.compileCount() - compilesBefore;
        try (TransformerOps ops = variant.open(ane, config.model(corpus.vocabSize()))) {
            printf("kernels     %s: %s%n", variant.label(), variant.description());
            printf("            run by %s%n", ops.description());
            printf("compiles    %d at start-up%n", compiles.getAsInt());

            Trainer trainer = checkpoint == null
                    ? Trainer.start(config, corpus, ops, options.validationWindows)
                    : Trainer.resume(checkpoint, config, corpus, ops, options.validationWindows);
            LossHistory history = checkpoint == null ? new LossHistory() : checkpoint.history();
            steps(trainer, history, options, compiles);

            StepTimes times = trainer.times();
            printf("time/step   %.2f ms: kernels %.2f ms, Java maths %.2f ms, weight writes %.3f ms (%.1f steps/s over the last %d steps,"
                            + " after the JIT's warm-up)%n", times.msPerStep(), times.kernelMsPerStep(), times.javaMsPerStep(),
                    times.weightMsPerStep(), times.stepsPerSecond(), times.steps());
            if (main) finish(options, config, corpus, trainer, history);
            return new Outcome(variant, ops.description(), history.validation().getFirst().loss(),
                    history.lastValidation().loss(), compiles.getAsInt(), times);
        }
    }

    /** The training steps up to the last, with the progress and the validation loss at intervals. */
    private void steps(Trainer trainer, LossHistory history, Options options, IntSupplier compiles) {
        if (history.lastValidation() == null || history.lastValidation().step() != trainer.step()) {
            history.addValidation(trainer.step(), trainer.validationLoss());
        }
        printf("step %d: validation loss %.3f%n", trainer.step(), history.lastValidation().loss());
        int last = options.lastStep(), every = options.evaluationInterval();
        int measureFrom = trainer.step() + warmupSteps(last - trainer.step());
        Progress progress = new Progress(out, terminal, trainer.step(), last, Math.max(1, every / 2));
        double trainingSum = 0;
        int trainingCount = 0;
        while (trainer.step() < last) {
            double loss;
            try {
                loss = trainer.trainStep();
            } catch (CompileBudgetException e) {
                // Only a run that recompiles gets here: stop while the process can still compile.
                progress.finish();
                printf("stopped     at step %d, before the ANE compile budget runs out: %s%n", trainer.step(), e.getMessage());
                printf("            (the kernels still hold the previous step's weights; its validation loss is the last one above)%n");
                return;
            }
            int step = trainer.step();
            history.addTraining(step, loss);
            if (step == measureFrom) trainer.times().restart();
            progress.step(step, loss, compiles.getAsInt());
            trainingSum += loss;
            trainingCount++;
            if (step % every == 0 || step == last) {
                double validation = trainer.validationLoss();
                history.addValidation(step, validation);
                progress.println(String.format(Locale.ROOT, "step %d: validation loss %.3f, training loss %.3f (mean of the last %d steps)",
                        step, validation, trainingSum / trainingCount, trainingCount));
                trainingSum = 0;
                trainingCount = 0;
            }
        }
        progress.finish();
    }

    /** Steps left out of the timings while the JIT compiles the hot code: a tenth of the run, at most 50. */
    static int warmupSteps(int steps) { return Math.min(50, steps / 10); }

    /** The main run's sample, chart and checkpoint. */
    private void finish(Options options, TrainingConfig config, Corpus corpus, Trainer trainer, LossHistory history)
            throws IOException {
        if (options.sampleLength > 0) {
            String prompt = corpus.validationPrompt(PROMPT_LENGTH);
            String text = TextSampler.generate(trainer.transformer(), trainer.weights(), corpus, prompt,
                    options.sampleLength, options.temperature, Trainer.stream(config.seed(), SAMPLE_STREAM));
            printf("sample      %d characters at temperature %s after a prompt from the validation text (between »«):%n",
                    options.sampleLength, number(options.temperature));
            printf("»%s«%s%n", prompt, text);
        }
        Path chart = options.out.resolve("loss.svg");
        Files.writeString(chart, LossChart.svg(history, "ane4j demo: training a character-level transformer",
                Options.describe(config) + ", batch " + config.batch() + ", " + trainer.step() + " steps",
                Math.log(corpus.vocabSize())), StandardCharsets.UTF_8);
        printf("chart       %s%n", chart.toAbsolutePath().normalize());
        if (options.save != null) {
            trainer.checkpoint(history).write(options.save);
            printf("saved       %s (step %d)%n", options.save.toAbsolutePath().normalize(), trainer.step());
        }
    }

    private void printComparison(List<Outcome> outcomes) {
        printf("%n%-16s %-30s %10s %9s %12s%n", "variant", "run by", "ms/step", "compiles", "final loss");
        for (Outcome o : outcomes) {
            printf("%-16s %-30s %10.2f %9d %12.3f%n", o.variant.label(), o.implementation, o.times.msPerStep(),
                    o.compiles, o.endLoss);
        }
    }

    private void printf(String format, Object... args) { out.print(String.format(Locale.ROOT, format, args)); }

    /** A setting in plain decimals, without trailing zeros: 0.005, 0.0005, 1. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
