package io.github.ane4j.demo;

import java.util.function.Supplier;

/**
 * Adds the time of every call of {@code kernels} to {@code times}: {@link #loadWeights} as weight writes,
 * every other call as kernel time.
 */
final class TimedKernels implements TransformerKernels {
    private final TransformerKernels kernels;
    private final StepTimes times;

    TimedKernels(TransformerKernels kernels, StepTimes times) {
        this.kernels = kernels;
        this.times = times;
    }

    @Override public String description() { return kernels.description(); }

    @Override
    public void loadWeights(ModelWeights weights) {
        long start = System.nanoTime();
        kernels.loadWeights(weights);
        times.addWeights(System.nanoTime() - start);
    }

    @Override public float[] read(Activation a, int slot) { return timed(() -> kernels.read(a, slot)); }
    @Override public void write(Activation a, int slot, float[] values) { timed(() -> kernels.write(a, slot, values)); }
    @Override public void attentionNorm(int layer) { timed(() -> kernels.attentionNorm(layer)); }
    @Override public void qkv(int layer) { timed(() -> kernels.qkv(layer)); }
    @Override public void attention(int layer) { timed(() -> kernels.attention(layer)); }
    @Override public void outputProjection(int layer) { timed(() -> kernels.outputProjection(layer)); }
    @Override public void ffnNorm(int layer) { timed(() -> kernels.ffnNorm(layer)); }
    @Override public void ffn(int layer) { timed(() -> kernels.ffn(layer)); }
    @Override public void finalNorm() { timed(kernels::finalNorm); }
    @Override public void classifier() { timed(kernels::classifier); }
    @Override public void classifierBackward() { timed(kernels::classifierBackward); }
    @Override public void finalNormBackward() { timed(kernels::finalNormBackward); }
    @Override public void ffnBackward(int layer) { timed(() -> kernels.ffnBackward(layer)); }
    @Override public void ffnNormBackward(int layer) { timed(() -> kernels.ffnNormBackward(layer)); }
    @Override public void outputProjectionBackward(int layer) { timed(() -> kernels.outputProjectionBackward(layer)); }
    @Override public void attentionBackward(int layer) { timed(() -> kernels.attentionBackward(layer)); }
    @Override public void qkvBackward(int layer) { timed(() -> kernels.qkvBackward(layer)); }
    @Override public void attentionNormBackward(int layer) { timed(() -> kernels.attentionNormBackward(layer)); }

    /** Closing is the owner's business: the wrapped kernels are also used untimed. */
    @Override public void close() {}

    private void timed(Runnable call) {
        timed(() -> {
            call.run();
            return null;
        });
    }

    private <T> T timed(Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        times.addKernel(System.nanoTime() - start);
        return result;
    }
}
