package org.speechalign.eval;

import org.speechalign.corpus.Utterance;

/** Anything that speaks golden utterances' texts: utterance → 16-bit PCM at the codec's rate. */
public interface SpeechSystem extends AutoCloseable {

    /** Name shown in reports, e.g. the model version. */
    String name();

    /** Speech for {@code u}'s text and speaker (PCM at the codec's sample rate). */
    short[] speak(Utterance u);

    @Override
    default void close() {}
}
