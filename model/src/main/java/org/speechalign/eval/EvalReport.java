package org.speechalign.eval;

import java.util.List;

/**
 * Results of one system on a set of utterances: corpus-level WER (Σ errors / Σ reference words),
 * mean speaker similarity and mean MCD, each with a 95 % bootstrap interval over utterances, and
 * every utterance's result.
 *
 * @param system           {@code golden} or the model's name
 * @param mcdCrossSpeakerDb for the golden system only: MCD between golden utterances of the same
 *                          text by different speakers, a scale for the MCD of models (NaN if absent)
 */
public record EvalReport(
        String system,
        String corpusVersion,
        String split,
        String codec,
        int utterances,
        double audioSeconds,
        Bootstrap.Interval wer,
        Bootstrap.Interval similarity,
        Bootstrap.Interval mcdDb,
        double mcdCrossSpeakerDb,
        SpeakerModelInfo speakerModel,
        double evalSeconds,
        List<UtteranceResult> perUtterance) {

    /** How the speaker similarity was obtained and how well it separates speakers on held-out golden speech. */
    public record SpeakerModelInfo(String method, int trainingUtterances, List<String> speakers,
                                   String heldOutSplit, int heldOutUtterances, double heldOutIdentificationAccuracy,
                                   double heldOutSameSpeakerSimilarity, double heldOutOtherSpeakerSimilarity) {}

    public EvalReport withEvalSeconds(double seconds) {
        return new EvalReport(system, corpusVersion, split, codec, utterances, audioSeconds, wer, similarity, mcdDb,
                mcdCrossSpeakerDb, speakerModel, seconds, perUtterance);
    }

    public EvalReport withCrossSpeakerMcd(double db) {
        return new EvalReport(system, corpusVersion, split, codec, utterances, audioSeconds, wer, similarity, mcdDb,
                db, speakerModel, evalSeconds, perUtterance);
    }
}
