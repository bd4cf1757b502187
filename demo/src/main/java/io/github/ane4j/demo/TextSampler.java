package io.github.ane4j.demo;

import java.util.Arrays;

/**
 * Generates text with a trained model one character at a time: the model reads the last {@code seq}
 * characters (positions past the text are padding, which causal attention ignores) and the next
 * character is drawn from the softmax of its logits at the last position divided by the temperature
 * (temperature 0: the most likely character).
 */
final class TextSampler {
    private TextSampler() {}

    /** {@code length} characters following {@code prompt} (not empty), drawn with {@code random}. */
    static String generate(Transformer model, ModelWeights weights, Corpus corpus, String prompt, int length,
                           double temperature, SplitMix64 random) {
        if (prompt.isEmpty()) throw new IllegalArgumentException("the prompt is empty");
        int seq = weights.config.seq(), vocab = weights.config.vocab();
        int[] promptTokens = corpus.encode(prompt);
        int[] text = new int[promptTokens.length + length];
        System.arraycopy(promptTokens, 0, text, 0, promptTokens.length);
        int[] window = new int[seq];
        StringBuilder out = new StringBuilder();
        for (int n = promptTokens.length; n < text.length; n++) {
            int start = Math.max(0, n - seq), used = n - start;
            Arrays.fill(window, 0);
            System.arraycopy(text, start, window, 0, used);
            float[] logits = model.forward(weights, window);
            text[n] = pick(logits, used - 1, seq, vocab, temperature, random);
            out.append(corpus.decode(text[n]));
        }
        return out.toString();
    }

    private static int pick(float[] logits, int t, int seq, int vocab, double temperature, SplitMix64 random) {
        int best = 0;
        for (int v = 1; v < vocab; v++) if (logits[v * seq + t] > logits[best * seq + t]) best = v;
        if (temperature == 0) return best;
        double[] weights = new double[vocab];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            weights[v] = Math.exp((logits[v * seq + t] - logits[best * seq + t]) / temperature);
            sum += weights[v];
        }
        double r = random.nextDouble() * sum;
        for (int v = 0; v < vocab; v++) {
            r -= weights[v];
            if (r < 0) return v;
        }
        return best; // rounding left r a hair above 0
    }
}
