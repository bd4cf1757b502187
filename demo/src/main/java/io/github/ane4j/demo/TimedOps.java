package io.github.ane4j.demo;

import java.util.function.Supplier;

/**
 * Adds the time of every call of {@code kernels} to {@code times}: {@link #loadWeights} as weight writes,
 * every other call as kernel time.
 */
final class TimedOps implements TransformerOps {
    private final TransformerOps ops;
    private final StepTimes times;

    TimedOps(TransformerOps ops, StepTimes times) {
        this.ops = ops;
        this.times = times;
    }

    @Override public String description() { return ops.description(); }

    @Override
    public void loadWeights(ModelWeights weights) {
        long start = System.nanoTime();
        ops.loadWeights(weights);
        times.addWeights(System.nanoTime() - start);
    }

    @Override public float[] read(Activation a, int slot) { return timed(() -> ops.read(a, slot)); }
    @Override public void write(Activation a, int slot, float[] values) { timed(() -> ops.write(a, slot, values)); }
    @Override public void attentionNorm(int layer) { timed(() -> ops.attentionNorm(layer)); }
    @Override public void qkv(int layer) { timed(() -> ops.qkv(layer)); }
    @Override public void attention(int layer) { timed(() -> ops.attention(layer)); }
    @Override public void outputProjection(int layer) { timed(() -> ops.outputProjection(layer)); }
    @Override public void ffnNorm(int layer) { timed(() -> ops.ffnNorm(layer)); }
    @Override public void ffn(int layer) { timed(() -> ops.ffn(layer)); }
    @Override public void finalNorm() { timed(ops::finalNorm); }
    @Override public void classifier() { timed(ops::classifier); }
    @Override public void classifierBackward() { timed(ops::classifierBackward); }
    @Override public void finalNormBackward() { timed(ops::finalNormBackward); }
    @Override public void ffnBackward(int layer) { timed(() -> ops.ffnBackward(layer)); }
    @Override public void ffnNormBackward(int layer) { timed(() -> ops.ffnNormBackward(layer)); }
    @Override public void outputProjectionBackward(int layer) { timed(() -> ops.outputProjectionBackward(layer)); }
    @Override public void attentionBackward(int layer) { timed(() -> ops.attentionBackward(layer)); }
    @Override public void qkvBackward(int layer) { timed(() -> ops.qkvBackward(layer)); }
    @Override public void attentionNormBackward(int layer) { timed(() -> ops.attentionNormBackward(layer)); }

    /** Closing is the owner's business: the wrapped ops are also used untimed. */
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
