package org.speechalign.corpus;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Deterministic split by SENTENCE, never by utterance: every voice of a sentence lands in the
 * same split, so a test sentence is never trained on in any voice. The split is a function of
 * the sentence's normalised text alone (sha256, first 8 bytes as an unsigned number, mod 1000):
 * below {@value #TEST_PER_MILLE} test, below {@value #TEST_PER_MILLE} + {@value #DEV_PER_MILLE}
 * dev, else train. Adding or removing other sentences never moves a sentence between splits.
 */
public final class SplitRule {
    public static final int TEST_PER_MILLE = 60;
    public static final int DEV_PER_MILLE = 50;
    public static final String DESCRIPTION = "sha256(normalised sentence text), first 8 bytes unsigned mod 1000: < "
            + TEST_PER_MILLE + " test, < " + (TEST_PER_MILLE + DEV_PER_MILLE) + " dev, else train";

    private SplitRule() {
    }

    /** Lower case, only letters and apostrophes, single spaces: "Hello, World!" → "hello world". */
    public static String key(String text) {
        return String.join(" ", text.toLowerCase(Locale.ROOT).replaceAll("[^a-z']", " ").trim().split("\\s+"));
    }

    public static Split of(String text) {
        byte[] d = Corpora.sha256().digest(key(text).getBytes(StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xff);
        long bucket = Long.remainderUnsigned(h, 1000);
        if (bucket < TEST_PER_MILLE) return Split.TEST;
        if (bucket < TEST_PER_MILLE + DEV_PER_MILLE) return Split.DEV;
        return Split.TRAIN;
    }
}
