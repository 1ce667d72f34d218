package org.speechalign.dpo;

import java.util.List;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Generated;

/**
 * An automatic rater of self-play samples, for ranked pairs ({@link PreferenceDataset.Pairing#RANKED}):
 * the errors of each of an utterance's samples, lower is better, comparable between the samples of
 * one utterance only.
 */
@FunctionalInterface
public interface SampleScorer {

    /** One error per sample of {@code u}, in order; {@code model} wrote them (its NAR may complete them). */
    double[] errors(CodecLm model, Utterance u, List<Generated> samples);
}
