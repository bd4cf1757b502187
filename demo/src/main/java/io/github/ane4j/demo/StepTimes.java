package io.github.ane4j.demo;

/**
 * Where the training steps' time goes: kernel calls (forward and activation-gradient ops with their
 * activation reads and writes), weight writes ({@link TransformerOps#loadWeights}), and the rest —
 * the Java maths (embedding, residuals, loss, weight gradients, clipping, AdamW). Not thread-safe.
 */
final class StepTimes {
    private long steps, totalNanos, kernelNanos, weightNanos;

    /** Forgets everything measured so far: the steps before it (JIT warm-up) do not count. */
    void restart() {
        steps = totalNanos = kernelNanos = weightNanos = 0;
    }

    void addKernel(long nanos) { kernelNanos += nanos; }

    void addWeights(long nanos) { weightNanos += nanos; }

    void addStep(long nanos) {
        steps++;
        totalNanos += nanos;
    }

    long steps() { return steps; }

    double msPerStep() { return perStep(totalNanos); }

    double kernelMsPerStep() { return perStep(kernelNanos); }

    double weightMsPerStep() { return perStep(weightNanos); }

    double javaMsPerStep() { return perStep(totalNanos - kernelNanos - weightNanos); }

    double stepsPerSecond() { return totalNanos == 0 ? 0 : steps * 1e9 / totalNanos; }

    private double perStep(long nanos) { return steps == 0 ? 0 : nanos / 1e6 / steps; }
}
