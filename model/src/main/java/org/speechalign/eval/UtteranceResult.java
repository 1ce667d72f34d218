package org.speechalign.eval;

/**
 * The measures of one utterance: what the ASR heard and its word errors against the text,
 * speaker similarity to the speaker's golden centroid, and MCD (dB) against the golden speech.
 * Kept per utterance so paired comparisons and gap measures can be computed later.
 */
public record UtteranceResult(
        String utteranceId,
        String speaker,
        String text,
        String hypothesis,
        int substitutions,
        int deletions,
        int insertions,
        int referenceWords,
        double similarity,
        double mcdDb,
        double seconds) {

    public int errors() {
        return substitutions + deletions + insertions;
    }

    public double wer() {
        return referenceWords == 0 ? (errors() == 0 ? 0 : 1) : (double) errors() / referenceWords;
    }
}
