package org.speechalign.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.ModelEvaluator;
import org.speechalign.eval.Comparison;
import org.speechalign.eval.EvalHome;
import org.speechalign.eval.EvalReport;
import org.speechalign.eval.Evaluator;
import org.speechalign.eval.GoldenEvaluation;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.UtteranceResult;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.eval.CodecLmSpeech;
import org.speechalign.lm.eval.DistributionGap;

/**
 * A model's audio-level measures, with the harness of {@code ./speechalign eval}, for the demo's
 * table and for {@code align --audio-eval} (as a {@link ModelEvaluator}):
 * WER, speaker similarity and MCD (95 % bootstrap intervals) on held-out test utterances, and the
 * held-out accuracy of the golden-vs-synthetic classifier (50 % = no gap). The same utterances,
 * sampling and seeds for every model, so the rows of the table compare like with like.
 */
final class AudioMeasures implements ModelEvaluator, AutoCloseable {

    /** One model's row. */
    record Measures(EvalReport report, DistributionGap.ClassifierReport gap) {
        /** Flat, as {@link ModelEvaluator} reports: intervals as {@code _lo}/{@code _hi}. */
        Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("wer", report.wer().value());
            m.put("wer_lo", report.wer().low());
            m.put("wer_hi", report.wer().high());
            m.put("speaker_similarity", report.similarity().value());
            m.put("mcd_db", report.mcdDb().value());
            m.put("gap_classifier_accuracy", gap.heldOut().accuracy());
            m.put("gap_classifier_accuracy_lo", gap.heldOut().accuracyLow());
            m.put("gap_classifier_accuracy_hi", gap.heldOut().accuracyHigh());
            return m;
        }
    }

    private static final int BATCH = 16;

    private final Codec codec;
    private final String corpusVersion;
    private final SpeechRecognizer asr;
    private final Evaluator evaluator;
    private final List<Utterance> heldOut;
    private final List<Utterance> gapTrain;
    /** Every report {@link #evaluate} produced, by label, for paired comparisons afterwards. */
    private final Map<String, EvalReport> reports = new LinkedHashMap<>();

    /**
     * @param testUtterances held-out test utterances measured (spread over sentences and voices)
     * @param gapTrainUtterances train-split utterances the gap classifier learns from
     */
    AudioMeasures(Codec codec, List<Utterance> corpus, int testUtterances, int gapTrainUtterances) {
        this.codec = codec;
        this.corpusVersion = corpus.get(0).corpusVersion();
        this.asr = SpeechRecognizer.openDefault();
        // trains (once per corpus version, then cached) the speaker model the similarity uses; decodes and
        // recognises utterances on every core, as ./speechalign eval does
        this.evaluator = new GoldenEvaluation(EvalHome.cacheDir(), codec, corpusVersion)
                .evaluator(corpus, asr, Runtime.getRuntime().availableProcessors());
        this.heldOut = DistributionGap.spread(corpus.stream().filter(u -> u.split() == Split.TEST).toList(), testUtterances);
        this.gapTrain = DistributionGap.spread(corpus.stream().filter(u -> u.split() == Split.TRAIN).toList(), gapTrainUtterances);
    }

    int heldOutUtterances() {
        return heldOut.size();
    }

    /** Measures the model archive (a verified local file) under {@code name}. */
    Measures measure(Path archive, String name, Consumer<UtteranceResult> progress) {
        try (CodecLm lm = CodecLm.load(archive)) {
            return measure(lm, name, progress);
        }
    }

    /** Measures {@code lm} (left open) under {@code name}. */
    Measures measure(CodecLm lm, String name, Consumer<UtteranceResult> progress) {
        try (CodecLmSpeech speech = new CodecLmSpeech(lm, codec, name, CodecLmSpeech.Coarse.SYNTHETIC,
                CodecLmProvider.EVAL_SAMPLING, CodecLmProvider.EVAL_SEED, false)) {
            speech.prepare(heldOut, BATCH);
            EvalReport report = evaluator.evaluate(name, corpusVersion, Split.TEST.wireName(), heldOut, speech::speak, progress);
            DistributionGap.ClassifierReport gap = DistributionGap.classify(speech, gapTrain, heldOut, BATCH);
            return new Measures(report, gap);
        }
    }

    @Override
    public Map<String, Double> evaluate(String label, CodecLm model) {
        Measures m = measure(model, label, r -> { });
        reports.put(label, m.report());
        return m.asMap();
    }

    /**
     * Paired comparison ({@code a − b} per utterance, bootstrap over the same utterances) of two
     * models {@link #evaluate} measured: tighter than comparing their separate intervals.
     */
    Comparison compare(String a, String b) {
        if (!reports.containsKey(a) || !reports.containsKey(b)) throw new IllegalArgumentException("no audio measures of " + a + " or " + b);
        return Comparison.paired(reports.get(a), reports.get(b));
    }

    @Override
    public void close() {
        asr.close();
    }
}
