package io.github.ane4j.demo;

/**
 * Everything that decides a training run's trajectory: the model's sizes (but the vocabulary, which the
 * corpus gives), the batch, the optimizer and its schedule, and the seed. A checkpoint saves it; a resumed
 * run follows it.
 *
 * @param batch           windows per optimizer step (gradients summed over them, the loss averaged)
 * @param steps           optimizer steps of the whole run (the schedule's length)
 * @param minLearningRate the rate the cosine schedule ends at
 * @param warmup          steps of linear warm-up
 * @param cosine          cosine decay after the warm-up; false: constant
 * @param clip            maximum global gradient norm; 0: no clipping
 * @param seed            seeds the initial weights, the training windows and the text sample
 */
record TrainingConfig(int dim, int hidden, int heads, int layers, int seq, boolean tiedClassifier,
                      int batch, int steps, double learningRate, double minLearningRate, int warmup, boolean cosine,
                      double beta1, double beta2, double weightDecay, double clip, long seed) {

    /** The model of this run on a vocabulary of {@code vocab} characters. */
    ModelConfig model(int vocab) { return new ModelConfig(vocab, dim, hidden, heads, layers, seq, tiedClassifier); }

    LearningRate schedule() { return new LearningRate(learningRate, minLearningRate, warmup, steps, cosine); }

    /** Whether {@code other} describes a model of the same shape (the sizes and the classifier tying). */
    boolean sameModel(TrainingConfig other) {
        return dim == other.dim && hidden == other.hidden && heads == other.heads && layers == other.layers
                && seq == other.seq && tiedClassifier == other.tiedClassifier;
    }
}
