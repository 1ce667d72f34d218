package org.speechalign.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordErrorRateTest {

    @Test
    void normalisesCasePunctuationAndNumbersLikeFlite() {
        assertEquals("hello world it's nineteen ninety", TextNormalizer.normalize("Hello, World! It's 1990."));
        assertEquals(List.of("forty", "two"), TextNormalizer.words("42"));
        assertEquals("one hundred twenty three", TextNormalizer.normalize("123"));
        assertEquals("two thousand five", TextNormalizer.normalize("2005"));
        assertEquals("nineteen hundred", TextNormalizer.normalize("1900"));
        assertEquals("twenty twenty four", TextNormalizer.normalize("2024"));
        assertEquals("one thousand sixty six", TextNormalizer.normalize("1066"));
        assertEquals("one thousand", TextNormalizer.normalize("1,000"));
        assertEquals("three point five", TextNormalizer.normalize("3.5"));
        assertEquals("fifth street", TextNormalizer.normalize("5th street"));
        assertEquals("twenty first", TextNormalizer.normalize("21st"));
        assertEquals("twelve thirty", TextNormalizer.normalize("12:30"));
        assertEquals("rock and roll", TextNormalizer.normalize("rock-and-roll"));
        assertEquals("one hundred percent", TextNormalizer.normalize("100%"));
        assertEquals("", TextNormalizer.normalize(" ... "));
        assertEquals("my neighbor's favorite color is gray", TextNormalizer.normalize("My neighbour's favourite colour is grey"));
        assertEquals("our hour four your", TextNormalizer.normalize("Our hour, four, your"));
    }

    @Test
    void countsSubstitutionsDeletionsInsertions() {
        assertEquals(new WordErrorRate.Counts(0, 0, 0, 4), WordErrorRate.score("the cat sat down", "The cat, sat down."));
        assertEquals(new WordErrorRate.Counts(1, 0, 0, 4), WordErrorRate.score("the cat sat down", "the hat sat down"));
        assertEquals(new WordErrorRate.Counts(0, 1, 0, 4), WordErrorRate.score("the cat sat down", "the cat down"));
        assertEquals(new WordErrorRate.Counts(0, 0, 1, 4), WordErrorRate.score("the cat sat down", "the cat sat right down"));
        WordErrorRate.Counts c = WordErrorRate.score("a b c d", "x a c d e f");
        assertEquals(4, c.errors()); // ins x, del b, ins e, ins f
        assertEquals(1.0, c.rate(), 1e-12);
        assertEquals(1.0, WordErrorRate.score("one two", "").rate(), 1e-12);
        assertEquals(0.0, WordErrorRate.score("it is 42", "it is forty two").rate(), 1e-12);
    }

    @Test
    void bootstrapIntervalIsSeededAndBracketsTheRatio() {
        double[] errors = {0, 1, 2, 0, 3, 1, 0, 0, 5, 1};
        double[] words = {5, 6, 8, 4, 9, 7, 5, 6, 10, 6};
        Bootstrap.Interval a = Bootstrap.ratio(errors, words, 2000, 7);
        Bootstrap.Interval b = Bootstrap.ratio(errors, words, 2000, 7);
        assertEquals(a, b);
        assertEquals(13.0 / 66.0, a.value(), 1e-12);
        org.junit.jupiter.api.Assertions.assertTrue(a.low() < a.value() && a.value() < a.high(), a.toString());
    }
}
