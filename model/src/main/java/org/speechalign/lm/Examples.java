package org.speechalign.lm;

import java.util.List;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Utterance;

/** Turns corpus utterances into the model's training examples. */
public final class Examples {

    private Examples() {}

    public static int[] phoneIds(LmConfig c, List<Phone> phones) {
        return phones.stream().mapToInt(p -> c.phoneIndex(p.symbol())).toArray();
    }

    /** Durations fitted to the utterance's frame count (see {@link ArSequence#fitDurations}). */
    public static int[] durations(Utterance u) {
        return ArSequence.fitDurations(u.phones().stream().mapToInt(Phone::frames).toArray(), u.frameCount());
    }

    public static ArSequence ar(LmConfig c, Utterance u) {
        return ArSequence.of(c, c.speakerIndex(u.speaker()), phoneIds(c, u.phones()), durations(u), u.tokens()[0]);
    }

    /** The AR sequence of synthesised (or any) coarse tokens for an utterance's speaker and phones. */
    public static ArSequence ar(LmConfig c, String speaker, List<String> phones, int[] durations, int[] coarse) {
        return ArSequence.of(c, c.speakerIndex(speaker), phones.stream().mapToInt(c::phoneIndex).toArray(), durations, coarse);
    }

    public static List<String> symbols(List<Phone> phones) {
        return phones.stream().map(Phone::symbol).toList();
    }

    /** The NAR item of a golden utterance (golden coarse tokens, fine targets). */
    public static NarBatch.Item nar(LmConfig c, Utterance u) {
        int[][] t = u.tokens();
        int[][] fine = new int[c.fineCodebooks()][];
        for (int q = 0; q < fine.length; q++) fine[q] = t[1 + q];
        return new NarBatch.Item(c.speakerIndex(u.speaker()), phoneIds(c, u.phones()), durations(u), t[0], fine);
    }

    /** The NAR item for synthesised coarse tokens (no targets). */
    public static NarBatch.Item nar(LmConfig c, String speaker, List<String> phones, Generated g) {
        return new NarBatch.Item(c.speakerIndex(speaker), phones.stream().mapToInt(c::phoneIndex).toArray(), g.durations(), g.coarse(), null);
    }
}
