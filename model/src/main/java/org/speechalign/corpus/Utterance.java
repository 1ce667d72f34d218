package org.speechalign.corpus;

import java.util.List;

/**
 * One golden utterance: text, speaker, phones with durations in codec frames and the golden
 * codec tokens ({@code tokens[codebook][frame]}). The same fields travel on {@code speech.golden.v1}.
 */
public record Utterance(
        String utteranceId,
        String text,
        String speaker,
        List<Phone> phones,
        int[][] tokens,
        String codecName,
        String codecMode,
        Split split,
        String corpusVersion) {

    public Utterance {
        phones = List.copyOf(phones);
    }

    public int frameCount() {
        return tokens.length == 0 ? 0 : tokens[0].length;
    }
}
