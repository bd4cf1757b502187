package io.github.ane4j.demo;

/**
 * The learning-rate schedule: a linear warm-up from {@code peak/warmup} to {@code peak} over the first
 * {@code warmup} steps, then either constant or a cosine decay reaching {@code min} at step
 * {@code steps} (and staying there after it).
 *
 * @param cosine false for constant after the warm-up
 */
record LearningRate(double peak, double min, int warmup, int steps, boolean cosine) {
    LearningRate {
        if (!(peak > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + peak);
        if (!(min >= 0 && min <= peak)) throw new IllegalArgumentException("minimum learning rate must be in [0, " + peak + "], got " + min);
        if (warmup < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmup);
    }

    /** The rate of optimizer step {@code step} (1 for the first). */
    double at(int step) {
        if (step <= warmup) return peak * step / warmup;
        if (!cosine || step >= steps) return cosine ? min : peak;
        double progress = (double) (step - warmup) / (steps - warmup);
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
