package io.github.ane4j.demo;

/**
 * Softmax cross-entropy of channel-first logits {@code [vocab][seq]} against the target character of
 * each position.
 */
final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * The mean over positions of {@code −log softmax(logits[·][t])[targets[t]]}. When {@code dlogits} is not
     * null, also writes the gradient of {@code gradientScale × the summed loss}:
     * {@code dlogits[v][t] = (softmax(logits[·][t])[v] − [v = targets[t]])·gradientScale}
     * (a mean over a batch of B windows passes {@code 1/(B·seq)}).
     */
    static double loss(float[] logits, int[] targets, int vocab, int seq, float[] dlogits, float gradientScale) {
        double total = 0;
        for (int t = 0; t < seq; t++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) max = Math.max(max, logits[v * seq + t]);
            double sum = 0;
            for (int v = 0; v < vocab; v++) sum += Math.exp(logits[v * seq + t] - max);
            double logSum = Math.log(sum);
            total += logSum - (logits[targets[t] * seq + t] - max);
            if (dlogits != null) {
                for (int v = 0; v < vocab; v++) {
                    double probability = Math.exp(logits[v * seq + t] - max - logSum);
                    dlogits[v * seq + t] = (float) ((probability - (v == targets[t] ? 1 : 0)) * gradientScale);
                }
            }
        }
        return total / seq;
    }
}
