package org.speechalign.dpo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.Generated;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.SamplingConfig;

/**
 * Held-out measures of the AR model that need no audio (so they run in seconds and beside nothing
 * else): computed on test-split utterances only.
 * <ul>
 *   <li>{@code test_nll_per_token}: the golden coarse sequences' negative log-likelihood per AR token.
 *   <li>{@code heldout_pref_acc}: on held-out pairs (golden vs a sample of the <em>base</em> model, fixed
 *       once), the fraction where the model gives the golden side the higher per-token log-likelihood.
 *   <li>{@code heldout_reward_acc_vs_base} / {@code heldout_margin_vs_base}: DPO's implicit reward
 *       accuracy and mean margin on those pairs, with the base model as reference.
 *   <li>Generation gap, from the model's own samples for the test phones (fixed seeds):
 *       {@code duration_mae} (frames per phone vs golden), {@code length_ratio} (sampled / golden frames),
 *       {@code field_hist_l1} (mean over voicing/energy/pitch of the L1 distance, in [0, 2], between the
 *       field's histogram in sampled and in golden frames: 0 = same distribution).
 * </ul>
 */
public final class IntrinsicMeasures implements ModelEvaluator {

    private final List<Utterance> test;
    private final PairSequences heldOut;
    private final ReferenceLogProbs base;
    private final PairSequences goldenOnly;
    private final SamplingConfig sampling;
    private final long seed;
    private final int batch;
    private final int samples;

    /** @param samples self-play samples per test utterance for the generation-gap measures */
    public IntrinsicMeasures(CodecLm baseModel, List<Utterance> test, SamplingConfig sampling, long seed, int batch, int samples) {
        for (Utterance u : test) {
            if (u.split() != Split.TEST) throw new IllegalArgumentException("utterance " + u.utteranceId() + " is not in the test split");
        }
        this.test = List.copyOf(test);
        this.sampling = sampling;
        this.seed = seed;
        this.batch = batch;
        this.samples = samples;
        var pairs = PreferenceDataset.heldOut(baseModel, baseModel.sha256(), test, new PreferenceDataset.Options(1, sampling, seed, batch),
                Instant.EPOCH).pairs();
        heldOut = new PairSequences(baseModel.config(), pairs);
        base = DpoTrainer.reference(baseModel, heldOut, batch);
        // golden sides paired with themselves: only the chosen log-probs are used
        List<PreferencePair> self = new ArrayList<>();
        for (Utterance u : test) {
            var g = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), Examples.durations(u));
            self.add(PreferencePair.of(PreferencePair.Source.GOLDEN_VS_SYNTHETIC, u.utteranceId(), u.text(), u.speaker(),
                    Examples.symbols(u.phones()), g, g, null, Instant.EPOCH));
        }
        goldenOnly = new PairSequences(baseModel.config(), self);
    }

    public int heldOutPairs() {
        return heldOut.size();
    }

    @Override
    public Map<String, Double> evaluate(String label, CodecLm model) {
        Map<String, Double> m = new LinkedHashMap<>();
        ReferenceLogProbs golden = DpoTrainer.reference(model, goldenOnly, batch);
        double nll = 0, tokens = 0;
        for (int i = 0; i < goldenOnly.size(); i++) {
            nll -= golden.chosen()[i];
            tokens += goldenOnly.chosen.get(i).length();
        }
        m.put("test_nll_per_token", nll / tokens);
        ReferenceLogProbs lp = DpoTrainer.reference(model, heldOut, batch);
        double acc = 0, rewardAcc = 0, margin = 0;
        for (int i = 0; i < heldOut.size(); i++) {
            double c = lp.chosen()[i] / heldOut.chosen.get(i).length(), r = lp.rejected()[i] / heldOut.rejected.get(i).length();
            acc += c > r ? 1 : 0;
            double h = (lp.chosen()[i] - base.chosen()[i]) - (lp.rejected()[i] - base.rejected()[i]);
            rewardAcc += h > 0 ? 1 : 0;
            margin += h;
        }
        m.put("heldout_pref_acc", acc / heldOut.size());
        m.put("heldout_reward_acc_vs_base", rewardAcc / heldOut.size());
        m.put("heldout_margin_vs_base", margin / heldOut.size());
        m.putAll(generationGap(model));
        return m;
    }

    private Map<String, Double> generationGap(CodecLm model) {
        CoarseLayout k = model.config().coarse();
        List<GenerationRequest> reqs = new ArrayList<>();
        List<Utterance> owners = new ArrayList<>();
        for (Utterance u : test) {
            for (int j = 0; j < samples; j++) {
                reqs.add(new GenerationRequest(u.speaker(), Examples.symbols(u.phones()), PreferenceDataset.requestSeed(seed + 17, u.utteranceId(), j)));
                owners.add(u);
            }
        }
        List<Generated> out = new ArrayList<>();
        for (int s = 0; s < reqs.size(); s += batch) {
            out.addAll(model.generator().generate(model.manager(), reqs.subList(s, Math.min(reqs.size(), s + batch)), sampling, true));
        }
        double absErr = 0, phones = 0, synthFrames = 0, goldenFrames = 0;
        double[][] hs = {new double[k.voicingLevels()], new double[k.energyLevels()], new double[k.pitchLevels()]};
        double[][] hg = {new double[k.voicingLevels()], new double[k.energyLevels()], new double[k.pitchLevels()]};
        for (int i = 0; i < owners.size(); i++) {
            int[] gd = Examples.durations(owners.get(i));
            Generated g = out.get(i);
            for (int p = 0; p < gd.length; p++) absErr += Math.abs(gd[p] - g.durations()[p]);
            phones += gd.length;
            synthFrames += g.frames();
            goldenFrames += Arrays.stream(gd).sum();
            for (int t : g.coarse()) count(hs, k, t);
            for (int t : owners.get(i).tokens()[0]) count(hg, k, t);
        }
        double l1 = 0;
        for (int f = 0; f < 3; f++) l1 += l1(hs[f], hg[f]);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("duration_mae", absErr / phones);
        m.put("length_ratio", synthFrames / Math.max(1, goldenFrames));
        m.put("field_hist_l1", l1 / 3);
        return m;
    }

    private static void count(double[][] h, CoarseLayout k, int token) {
        h[0][k.voicing(token)]++;
        h[1][k.energy(token)]++;
        h[2][k.pitch(token)]++;
    }

    private static double l1(double[] a, double[] b) {
        double sa = Arrays.stream(a).sum(), sb = Arrays.stream(b).sum();
        if (sa == 0 || sb == 0) return sa == sb ? 0 : 2;
        double d = 0;
        for (int i = 0; i < a.length; i++) d += Math.abs(a[i] / sa - b[i] / sb);
        return d;
    }
}
