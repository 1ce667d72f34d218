package org.speechalign.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
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
 * The measures of the demo's table for one model, with the harness of {@code ./speechalign eval}:
 * WER, speaker similarity and MCD (95 % bootstrap intervals) on held-out test utterances, and the
 * held-out accuracy of the golden-vs-synthetic classifier (50 % = no gap). The same utterances,
 * sampling and seeds for every model, so the rows of the table compare like with like.
 */
final class DemoEvaluation implements AutoCloseable {

    /** One model's row. */
    record Measures(EvalReport report, DistributionGap.ClassifierReport gap) {
    }

    private static final int BATCH = 16;

    private final Codec codec;
    private final String corpusVersion;
    private final SpeechRecognizer asr;
    private final Evaluator evaluator;
    private final List<Utterance> heldOut;
    private final List<Utterance> gapTrain;

    /**
     * @param testUtterances held-out test utterances measured (spread over sentences and voices)
     * @param gapTrainUtterances train-split utterances the gap classifier learns from
     */
    DemoEvaluation(Codec codec, List<Utterance> corpus, int testUtterances, int gapTrainUtterances) {
        this.codec = codec;
        this.corpusVersion = corpus.get(0).corpusVersion();
        this.asr = SpeechRecognizer.openDefault();
        // trains (once per corpus version, then cached) the speaker model the similarity uses
        this.evaluator = new GoldenEvaluation(EvalHome.cacheDir(), codec, corpusVersion).evaluator(corpus, asr, 1);
        this.heldOut = DistributionGap.spread(corpus.stream().filter(u -> u.split() == Split.TEST).toList(), testUtterances);
        this.gapTrain = DistributionGap.spread(corpus.stream().filter(u -> u.split() == Split.TRAIN).toList(), gapTrainUtterances);
    }

    int heldOutUtterances() {
        return heldOut.size();
    }

    /** Measures the model archive (a verified local file) under {@code name}. */
    Measures measure(Path archive, String name, Consumer<UtteranceResult> progress) {
        CodecLm lm = CodecLm.load(archive);
        try (CodecLmSpeech speech = new CodecLmSpeech(lm, codec, name, CodecLmSpeech.Coarse.SYNTHETIC,
                CodecLmProvider.EVAL_SAMPLING, CodecLmProvider.EVAL_SEED, true)) {
            speech.prepare(heldOut, BATCH);
            EvalReport report = evaluator.evaluate(name, corpusVersion, Split.TEST.wireName(), heldOut, speech::speak, progress);
            DistributionGap.ClassifierReport gap = DistributionGap.classify(speech, gapTrain, heldOut, BATCH);
            return new Measures(report, gap);
        }
    }

    @Override
    public void close() {
        asr.close();
    }
}
