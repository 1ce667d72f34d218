package org.speechalign.lm.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.Examples;
import org.speechalign.lm.Generated;

/**
 * The paper's distribution gap between golden and synthesised coarse tokens, as a classifier's
 * held-out accuracy: a {@link GapClassifier} is trained on the coarse sequences of train-split
 * utterances (golden vs what the model writes for the same speaker and phones) and tested on
 * test-split utterances. 50 % = no gap. The other half of the gap (the NAR fed golden vs
 * synthetic coarse tokens, WER / similarity) is two {@link CodecLmSpeech} systems run through the
 * evaluation harness. Reusable by the DPO trainer to watch the gap close across iterations.
 */
public final class DistributionGap {

    public static final double L2 = 1e-2;
    public static final int ITERATIONS = 1500;

    private DistributionGap() {}

    /** Held-out classifier result plus the weights of its features. */
    public record ClassifierReport(
            @JsonProperty("method") String method,
            @JsonProperty("train_utterances") int trainUtterances,
            @JsonProperty("held_out") GapClassifier.Result heldOut,
            @JsonProperty("train_accuracy") double trainAccuracy,
            @JsonProperty("feature_weights") Map<String, Double> featureWeights) {}

    /** Features of an utterance's golden coarse sequence. */
    public static double[] golden(CoarseLayout k, Utterance u) {
        return CoarseFeatures.of(k, Examples.durations(u), u.tokens()[0]);
    }

    public static double[] synthetic(CoarseLayout k, Generated g) {
        return CoarseFeatures.of(k, g.durations(), g.coarse());
    }

    /** {@code n} utterances spread evenly over {@code pool} (sorted by id), deterministic. */
    public static List<Utterance> spread(List<Utterance> pool, int n) {
        List<Utterance> sorted = new ArrayList<>(pool);
        sorted.sort(Comparator.comparing(Utterance::utteranceId));
        if (n >= sorted.size()) return sorted;
        List<Utterance> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(sorted.get((int) ((long) i * sorted.size() / n)));
        return out;
    }

    /**
     * Trains on {@code train} (golden vs synthesised by {@code model}) and tests on {@code test};
     * the model's generations are reused when already {@linkplain CodecLmSpeech#prepare prepared}.
     */
    public static ClassifierReport classify(CodecLmSpeech model, List<Utterance> train, List<Utterance> test, int batchSize) {
        CoarseLayout k = model.model().config().coarse();
        List<double[]> gTrain = new ArrayList<>(), sTrain = new ArrayList<>(), gTest = new ArrayList<>(), sTest = new ArrayList<>();
        List<Generated> gen = model.prepare(train, batchSize);
        for (int i = 0; i < train.size(); i++) {
            gTrain.add(golden(k, train.get(i)));
            sTrain.add(synthetic(k, gen.get(i)));
        }
        for (Utterance u : test) {
            gTest.add(golden(k, u));
            sTest.add(synthetic(k, model.generated(u)));
        }
        GapClassifier c = GapClassifier.train(gTrain, sTrain, L2, ITERATIONS);
        Map<String, Double> weights = new LinkedHashMap<>();
        double[] w = c.weights();
        for (int i = 0; i < w.length; i++) weights.put(CoarseFeatures.NAMES.get(i), Math.round(w[i] * 1000) / 1000.0);
        return new ClassifierReport("logistic regression on " + CoarseFeatures.NAMES.size()
                + " statistics of durations, voicing, energy and pitch (standardised, L2 " + L2 + ")",
                train.size(), c.evaluate(gTest, sTest), c.evaluate(gTrain, sTrain).accuracy(), weights);
    }
}
