package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusTest {
    /** 100 characters: 90 of training text, then the 10 of the validation part. */
    private static final String TEXT = "abcab\n".repeat(14) + "xyz\nz\n" + "ab\ncab\ncab";
    private final Corpus corpus = Corpus.of(TEXT);

    @Test
    void vocabularyIsEveryDistinctCharacterInCodePointOrder() {
        assertEquals("\nabcxyz", corpus.vocabulary());
        assertEquals(7, corpus.vocabSize());
        assertArrayEquals(new int[] {1, 2, 3, 0, 6}, corpus.encode("abc\nz"));
        assertEquals("y", corpus.decode(5));
    }

    @Test
    void theLastTenthIsTheValidationPart() {
        assertEquals(100, TEXT.length());
        assertEquals(90, corpus.trainingLength());
        assertEquals(10, corpus.validationLength());
    }

    @Test
    void aWindowsTargetsAreItsInputsShiftedByOne() {
        Corpus.Window w = corpus.trainingWindow(new SplitMix64(3), 8);
        for (int t = 0; t < 7; t++) assertEquals(w.inputs()[t + 1], w.targets()[t]);
        String inputs = decode(w.inputs());
        assertTrue(TEXT.substring(0, 90).contains(inputs + corpus.decode(w.targets()[7])), inputs);
    }

    @Test
    void validationWindowsAreFixedAndSpreadFromTheStartToTheEndOfTheValidationPart() {
        List<Corpus.Window> windows = corpus.validationWindows(3, 4);
        assertEquals(3, windows.size());
        assertEquals("ab\nc", decode(windows.get(0).inputs()));       // the validation text is "ab\ncab\ncab"
        assertEquals("b\ncab", decode(windows.get(2).inputs()) + corpus.decode(windows.get(2).targets()[3]));
        assertArrayEquals(windows.get(1).inputs(), corpus.validationWindows(3, 4).get(1).inputs());
    }

    @Test
    void aWindowLongerThanThePartIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> corpus.validationWindows(1, 10));
        assertTrue(e.getMessage().contains("validation text has 10 characters"), e.getMessage());
    }

    @Test
    void aCharacterOutsideTheVocabularyIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> corpus.encode("abQ"));
        assertTrue(e.getMessage().contains("Q (U+51)"), e.getMessage());
    }

    @Test
    void thePromptStartsAtTheValidationPartsFirstFullLine() {
        assertEquals("cab\nca", corpus.validationPrompt(6));
    }

    @Test
    void theDemoCorpusIsOnTheClassPath() {
        Corpus demo = Corpus.load();
        assertTrue(demo.trainingLength() > 100_000, "training characters: " + demo.trainingLength());
        assertTrue(demo.vocabSize() > 60 && demo.vocabSize() < 200, "vocabulary: " + demo.vocabSize());
    }

    private String decode(int[] tokens) {
        StringBuilder s = new StringBuilder();
        for (int t : tokens) s.append(corpus.decode(t));
        return s.toString();
    }
}
