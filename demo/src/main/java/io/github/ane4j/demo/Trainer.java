package io.github.ane4j.demo;

import java.util.List;

/**
 * The training loop's state and its two operations: an optimizer step over a batch of random training
 * windows, and the loss on the fixed validation windows. Single-threaded.
 *
 * <p>A step: for each of the batch's windows, forward, cross-entropy, backward (gradients summed);
 * clipping by global norm; AdamW with the scheduled learning rate; the new weights into the ops.
 */
final class Trainer {
    /** Seeds of the independent random streams derived from the run's seed. */
    private static final long WEIGHTS_STREAM = 0, SAMPLER_STREAM = 1;

    private final TrainingConfig config;
    private final ModelConfig model;
    private final Corpus corpus;
    private final ModelWeights weights, grads;
    private final AdamW optimizer;
    private final SplitMix64 sampler;
    /** The ops with their calls timed into {@link #times}. */
    private final TransformerOps timedOps;
    private final Transformer timed, untimed;
    private final StepTimes times = new StepTimes();
    private final List<Corpus.Window> validation;
    private final float[] dlogits;

    private Trainer(TrainingConfig config, Corpus corpus, ModelWeights weights, AdamW optimizer, SplitMix64 sampler,
                    TransformerOps ops, int validationWindows) {
        this.config = config;
        this.model = weights.config;
        this.corpus = corpus;
        this.weights = weights;
        this.grads = ModelWeights.zeros(model);
        this.optimizer = optimizer;
        this.sampler = sampler;
        this.timedOps = new TimedOps(ops, times);
        this.timed = new Transformer(model, timedOps);
        this.untimed = new Transformer(model, ops);
        this.validation = corpus.validationWindows(validationWindows, model.seq());
        this.dlogits = new float[model.vocab() * model.seq()];
        ops.loadWeights(weights);
    }

    /** A new run: weights drawn from the seed, fresh optimizer, sampler at the seed's start. */
    static Trainer start(TrainingConfig config, Corpus corpus, TransformerOps ops, int validationWindows) {
        ModelConfig model = config.model(corpus.vocabSize());
        ModelWeights weights = ModelWeights.initialized(model, stream(config.seed(), WEIGHTS_STREAM));
        AdamW optimizer = new AdamW(model, config.beta1(), config.beta2(), config.weightDecay());
        return new Trainer(config, corpus, weights, optimizer, stream(config.seed(), SAMPLER_STREAM), ops, validationWindows);
    }

    /**
     * The run saved in {@code checkpoint}, continued with {@code config} (the checkpoint's settings, maybe
     * with some changed on the command line; the model must be the same).
     *
     * @throws IllegalArgumentException when the corpus's vocabulary differs from the checkpoint's
     */
    static Trainer resume(Checkpoint checkpoint, TrainingConfig config, Corpus corpus, TransformerOps ops,
                          int validationWindows) {
        if (!checkpoint.vocabulary().equals(corpus.vocabulary())) {
            throw new IllegalArgumentException("the checkpoint's vocabulary (" + checkpoint.vocabulary().length()
                    + " characters) differs from this corpus's (" + corpus.vocabulary().length()
                    + "): the corpus changed since the checkpoint was written");
        }
        AdamW optimizer = new AdamW(config.beta1(), config.beta2(), config.weightDecay(), checkpoint.firstMoments(),
                checkpoint.secondMoments(), checkpoint.step());
        return new Trainer(config, corpus, checkpoint.weights(), optimizer, new SplitMix64(checkpoint.samplerState()),
                ops, validationWindows);
    }

    /** Optimizer steps taken so far. */
    int step() { return optimizer.step(); }

    ModelConfig model() { return model; }

    ModelWeights weights() { return weights; }

    StepTimes times() { return times; }

    /** The model on the ops, untimed: for sampling text. */
    Transformer transformer() { return untimed; }

    /** One optimizer step over {@code batch} random training windows; returns their mean loss. */
    double trainStep() {
        long start = System.nanoTime();
        grads.clear();
        double loss = 0;
        float scale = 1f / (config.batch() * model.seq());
        for (int b = 0; b < config.batch(); b++) {
            Corpus.Window window = corpus.trainingWindow(sampler, model.seq());
            float[] logits = timed.forward(weights, window.inputs());
            loss += CrossEntropy.loss(logits, window.targets(), model.vocab(), model.seq(), dlogits, scale);
            timed.backward(grads, window.inputs(), dlogits);
        }
        GradientClipping.clip(grads, config.clip());
        optimizer.update(weights, grads, config.schedule().at(optimizer.step() + 1));
        timedOps.loadWeights(weights);
        times.addStep(System.nanoTime() - start);
        return loss / config.batch();
    }

    /** The mean loss over the validation windows (always the same windows). */
    double validationLoss() {
        double loss = 0;
        for (Corpus.Window window : validation) {
            float[] logits = untimed.forward(weights, window.inputs());
            loss += CrossEntropy.loss(logits, window.targets(), model.vocab(), model.seq(), null, 0);
        }
        return loss / validation.size();
    }

    /** The state to continue this run later, with the loss curves so far. */
    Checkpoint checkpoint(LossHistory history) {
        return new Checkpoint(config, corpus.vocabulary(), optimizer.step(), sampler.state(), weights,
                optimizer.firstMoments(), optimizer.secondMoments(), history);
    }

    /** A generator for stream {@code stream} of {@code seed}, independent of the other streams. */
    static SplitMix64 stream(long seed, long stream) {
        return new SplitMix64(new SplitMix64(seed ^ (stream * 0xD1B54A32D192ED03L)).nextLong());
    }
}
