package org.speechalign.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SplitRuleTest {
    @Test
    void splitDependsOnTheNormalisedTextOnly() {
        assertEquals("hello world it's me", SplitRule.key("  Hello, WORLD -- it's me! "));
        assertEquals(SplitRule.of("Hello, world."), SplitRule.of("hello world"));
    }

    @Test
    void fractionsAreRoughlyAsConfigured() {
        int test = 0;
        int dev = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            Split s = SplitRule.of("sentence number " + letters(i));
            if (s == Split.TEST) test++;
            if (s == Split.DEV) dev++;
        }
        assertEquals(SplitRule.TEST_PER_MILLE / 1000.0, (double) test / n, 0.01);
        assertEquals(SplitRule.DEV_PER_MILLE / 1000.0, (double) dev / n, 0.01);
    }

    /** 0 → "a", 25 → "z", 26 → "ba": distinct letter-only words (the split key drops digits). */
    private static String letters(int i) {
        StringBuilder b = new StringBuilder();
        do {
            b.append((char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return b.reverse().toString();
    }
}
