package org.speechalign.trainer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.PairSequences;
import org.speechalign.dpo.PreferencePair;
import org.speechalign.dpo.ReferenceLogProbs;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;

/**
 * The promotion gate: a paired comparison of candidate and serving model on the same held-out
 * (test-split) utterances.
 *
 * <p><b>Measure.</b> The models' negative log-likelihood per AR token of the golden coarse sequences
 * (durations as ADVANCE tokens included) of each held-out utterance: how likely each model finds
 * real speech for unseen text, the quantity DPO on golden-vs-synthetic pairs is meant to raise
 * relative to the model's own samples. It needs no sampling and no speech recogniser, so it is
 * cheap and its paired differences have little noise; WER through the evaluation harness would
 * take minutes of ASR per candidate with intervals of ±10 points on a few dozen sentences (the
 * demo reports that WER beside each gate decision). Per utterance
 * {@code d_i = nll_candidate_i − nll_serving_i} (lower is better for the candidate); the mean of
 * {@code d} gets a seeded percentile-bootstrap interval. The candidate is <em>not worse</em>, and
 * is promoted, when the interval's upper end is at most {@code margin} — a non-inferiority test at
 * the configured confidence. Fewer held-out utterances than {@code minHeldOut}: rejected.
 */
final class Gate {

    /** The gate's result; {@link #metrics} go into model_versions.metrics and the event. */
    record Verdict(boolean pass, String reason, int n, double servingNll, double candidateNll, double meanDelta, double low,
                   double high, double margin, double confidence) {
        Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("gate_heldout_utterances", (double) n);
            m.put("gate_serving_nll_per_token", servingNll);
            m.put("gate_candidate_nll_per_token", candidateNll);
            m.put("gate_delta_mean", meanDelta);
            m.put("gate_delta_ci_low", low);
            m.put("gate_delta_ci_high", high);
            m.put("gate_margin", margin);
            m.put("gate_confidence", confidence);
            m.put("gate_pass", pass ? 1.0 : 0.0);
            return m;
        }
    }

    private final double margin;
    private final int minHeldOut;
    private final int bootstrap;
    private final double confidence;
    private final long seed;

    Gate(double margin, int minHeldOut, int bootstrap, double confidence, long seed) {
        this.margin = margin;
        this.minHeldOut = minHeldOut;
        this.bootstrap = bootstrap;
        this.confidence = confidence;
        this.seed = seed;
    }

    Verdict judge(CodecLm serving, CodecLm candidate, List<Utterance> heldOut) {
        for (Utterance u : heldOut) {
            if (u.split() != Split.TEST) throw new IllegalArgumentException("gate utterance " + u.utteranceId() + " is not held out");
        }
        int n = heldOut.size();
        if (n < Math.max(1, minHeldOut)) {
            return new Verdict(false, "only " + n + " held-out utterances (need " + minHeldOut + "): cannot show the candidate is not worse",
                    n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, margin, confidence);
        }
        double[] s = nllPerToken(serving, heldOut);
        double[] c = nllPerToken(candidate, heldOut);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = c[i] - s[i];
        double mean = Arrays.stream(d).average().orElseThrow();
        double[] means = new double[bootstrap];
        SplittableRandom r = new SplittableRandom(seed);
        for (int b = 0; b < bootstrap; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += d[r.nextInt(n)];
            means[b] = sum / n;
        }
        Arrays.sort(means);
        double alpha = (1 - confidence) / 2;
        double low = means[(int) Math.floor(alpha * (bootstrap - 1))];
        double high = means[(int) Math.ceil((1 - alpha) * (bootstrap - 1))];
        boolean pass = high <= margin;
        String reason = String.format(java.util.Locale.ROOT,
                "held-out golden NLL/token on %d test utterances: candidate − serving = %.4f, %.0f%% CI [%.4f, %.4f]; %s margin %.4f",
                n, mean, confidence * 100, low, high, pass ? "upper end within" : "upper end beyond", margin);
        return new Verdict(pass, (pass ? "not worse: " : "worse: ") + reason, n, avg(s), avg(c), mean, low, high, margin, confidence);
    }

    private static double avg(double[] a) {
        return Arrays.stream(a).average().orElse(Double.NaN);
    }

    /** Per utterance: −log p(golden coarse sequence) / its AR token count. */
    static double[] nllPerToken(CodecLm model, List<Utterance> utterances) {
        List<PreferencePair> self = new ArrayList<>();
        int[] lengths = new int[utterances.size()];
        for (int i = 0; i < utterances.size(); i++) {
            Utterance u = utterances.get(i);
            var g = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), Examples.durations(u));
            self.add(PreferencePair.of(PreferencePair.Source.GOLDEN_VS_SYNTHETIC, u.utteranceId(), u.text(), u.speaker(),
                    Examples.symbols(u.phones()), g, g, null, Instant.EPOCH));
            lengths[i] = Examples.ar(model.config(), u).length();
        }
        ReferenceLogProbs lp = ReferenceLogProbs.compute(model.ar(), model.sha256(), model.manager(),
                new PairSequences(model.config(), self), 16);
        double[] out = new double[utterances.size()];
        for (int i = 0; i < out.length; i++) out[i] = -lp.chosen()[i] / lengths[i];
        return out;
    }
}
