package io.github.ane4j.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The character-level training text: the vocabulary (every distinct character, in code point order), the
 * text as token ids, split into a training part and a validation part (the last
 * {@link #VALIDATION_FRACTION} of the text).
 *
 * <p>The demo's text is {@value #RESOURCE}, which the demo's Maven build concatenates from the
 * project's own documentation and Java sources (see {@code demo/pom.xml}).
 */
final class Corpus {
    static final String RESOURCE = "corpus.txt";
    static final double VALIDATION_FRACTION = 0.1;

    /** Inputs {@code [seq]} and the next character of each, {@code targets[t] = inputs[t + 1]}. */
    record Window(int[] inputs, int[] targets) {}

    private final String vocabulary;
    private final int[] codePoints;
    private final int[] training;
    private final int[] validation;

    private Corpus(String text) {
        this.codePoints = text.codePoints().distinct().sorted().toArray();
        this.vocabulary = new String(codePoints, 0, codePoints.length);
        int[] tokens = encode(text);
        int split = (int) Math.round(tokens.length * (1 - VALIDATION_FRACTION));
        this.training = Arrays.copyOfRange(tokens, 0, split);
        this.validation = Arrays.copyOfRange(tokens, split, tokens.length);
    }

    /** The corpus of {@code text}. @throws IllegalArgumentException when the text is empty */
    static Corpus of(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("the corpus text is empty");
        return new Corpus(text);
    }

    /** The demo's corpus, {@value #RESOURCE} on the class path. */
    static Corpus load() {
        try (InputStream in = Corpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path next to " + Corpus.class.getName()
                        + ": build the demo with Maven (mvn -f demo/pom.xml package), which writes it");
            }
            return of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Every distinct character, sorted: token id i is the i-th. */
    String vocabulary() { return vocabulary; }

    int vocabSize() { return codePoints.length; }

    int trainingLength() { return training.length; }

    int validationLength() { return validation.length; }

    /** The token ids of {@code text}. @throws IllegalArgumentException for a character outside the vocabulary */
    int[] encode(String text) {
        return text.codePoints().map(c -> {
            int id = Arrays.binarySearch(codePoints, c);
            if (id < 0) throw new IllegalArgumentException("character " + Character.toString(c) + " (U+"
                    + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + ") is not in the vocabulary");
            return id;
        }).toArray();
    }

    /** The character of token id {@code token}. */
    String decode(int token) { return Character.toString(codePoints[token]); }

    /**
     * Up to {@code length} characters of the validation text, from the start of its first complete line
     * (a prompt the model has not trained on).
     */
    String validationPrompt(int length) {
        int start = 0;
        while (start < validation.length - 1 && !decode(validation[start]).equals("\n")) start++;
        start++;
        StringBuilder prompt = new StringBuilder();
        for (int i = start; i < Math.min(validation.length, start + length); i++) prompt.append(decode(validation[i]));
        return prompt.toString();
    }

    /** A window starting at a uniformly random position of the training part. */
    Window trainingWindow(SplitMix64 random, int seq) {
        requireLength("training", training, seq);
        return window(training, random.nextInt(training.length - seq), seq);
    }

    /** {@code count} windows spread evenly over the validation part, the same on every call. */
    List<Window> validationWindows(int count, int seq) {
        requireLength("validation", validation, seq);
        int last = validation.length - seq - 1;
        List<Window> windows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) windows.add(window(validation, count == 1 ? 0 : (int) ((long) last * i / (count - 1)), seq));
        return windows;
    }

    private static Window window(int[] tokens, int start, int seq) {
        return new Window(Arrays.copyOfRange(tokens, start, start + seq), Arrays.copyOfRange(tokens, start + 1, start + seq + 1));
    }

    private static void requireLength(String part, int[] tokens, int seq) {
        if (tokens.length < seq + 1) {
            throw new IllegalArgumentException("the " + part + " text has " + tokens.length
                    + " characters, fewer than a window of seq + 1 = " + (seq + 1));
        }
    }
}
