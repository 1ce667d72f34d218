package org.speechalign.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Paired comparison of two systems on the same utterances (e.g. a candidate model against the
 * serving model, or the NAR model on golden vs synthetic AR tokens — the paper's distribution gap):
 * differences {@code a − b} with a paired bootstrap interval (the same resampled utterances for both).
 */
public record Comparison(String a, String b, int utterances, Bootstrap.Interval werDifference,
                         Bootstrap.Interval similarityDifference, Bootstrap.Interval mcdDifferenceDb) {

    public static Comparison paired(EvalReport a, EvalReport b) {
        Map<String, UtteranceResult> byId = new HashMap<>();
        for (UtteranceResult r : b.perUtterance()) byId.put(r.utteranceId(), r);
        List<UtteranceResult[]> pairs = new ArrayList<>();
        for (UtteranceResult r : a.perUtterance()) {
            UtteranceResult o = byId.get(r.utteranceId());
            if (o != null) pairs.add(new UtteranceResult[] {r, o});
        }
        int n = pairs.size();
        if (n == 0) throw new IllegalArgumentException("the two reports share no utterance");
        Bootstrap.Interval wer = Bootstrap.of(n, idx -> {
            double ea = 0, eb = 0, w = 0;
            for (int i : idx) {
                ea += pairs.get(i)[0].errors();
                eb += pairs.get(i)[1].errors();
                w += pairs.get(i)[0].referenceWords();
            }
            return w == 0 ? 0 : (ea - eb) / w;
        }, Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_SEED);
        Bootstrap.Interval sim = meanDifference(pairs, true);
        Bootstrap.Interval mcd = meanDifference(pairs, false);
        return new Comparison(a.system(), b.system(), n, wer, sim, mcd);
    }

    private static Bootstrap.Interval meanDifference(List<UtteranceResult[]> pairs, boolean similarity) {
        double[] d = new double[pairs.size()];
        for (int i = 0; i < d.length; i++) {
            UtteranceResult x = pairs.get(i)[0], y = pairs.get(i)[1];
            d[i] = similarity ? x.similarity() - y.similarity() : x.mcdDb() - y.mcdDb();
        }
        return Bootstrap.mean(d, Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_SEED);
    }
}
