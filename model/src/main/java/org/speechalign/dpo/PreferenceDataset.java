package org.speechalign.dpo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.TextNormalizer;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.Generated;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.SamplingConfig;

/**
 * Builds SpeechAlign's preference codec dataset: for each golden utterance (text, speaker), the
 * golden coarse tokens are chosen and each of N samples of the current model for the same phones
 * and speaker is rejected ({@code golden_vs_synthetic}). No human label is needed.
 *
 * <p>Beside the paper's pairs, {@link Pairing#RANKED} lets an automatic rater ({@link SampleScorer},
 * e.g. {@link Intelligibility}) rank each utterance's N samples and pairs the best over every sample
 * it rated worse ({@code rating_ranked}, as pairs ranked by people's ratings are); samples it rates
 * alike make no pair.
 *
 * <p>Deterministic: request seeds and synthesis ids derive from (seed, utterance id, sample index)
 * and the model version, so rebuilding with the same model and seed yields the same pairs and ids.
 * Held out means held out: {@link #build} refuses test-split utterances; {@link #heldOut} builds
 * pairs from test utterances for evaluation only.
 */
public final class PreferenceDataset {

    /**
     * @param samplesPerUtterance rejected samples (pairs) per golden utterance
     * @param sampling how the model samples the rejected side
     * @param seed seeds every request's sampling stream
     * @param generationBatch utterances generated together
     * @param pairing which pairs are made of the samples
     */
    public record Options(int samplesPerUtterance, SamplingConfig sampling, long seed, int generationBatch, Pairing pairing) {
        public Options {
            if (samplesPerUtterance < 1) throw new IllegalArgumentException("samples per utterance must be >= 1");
            if (generationBatch < 1) throw new IllegalArgumentException("generation batch must be >= 1");
            if (pairing == null) pairing = Pairing.GOLDEN;
            if (pairing != Pairing.GOLDEN && samplesPerUtterance < 2) {
                throw new IllegalArgumentException("ranked pairs need at least 2 samples per utterance (got " + samplesPerUtterance + ")");
            }
        }

        /** The paper's pairs only. */
        public Options(int samplesPerUtterance, SamplingConfig sampling, long seed, int generationBatch) {
            this(samplesPerUtterance, sampling, seed, generationBatch, Pairing.GOLDEN);
        }

        public static Options defaults(long seed) {
            return new Options(1, SamplingConfig.DEFAULT, seed, 16);
        }
    }

    /** Which pairs are made of each utterance's samples. */
    public enum Pairing {
        /** SpeechAlign's: the golden tokens chosen over every sample ({@code golden_vs_synthetic}). */
        GOLDEN,
        /** A {@link SampleScorer}'s: the utterance's best sample chosen over each one rated worse ({@code rating_ranked}). */
        RANKED,
        /** Both of the above. */
        BOTH;

        public static Pairing parse(String s) {
            for (Pairing p : values()) {
                if (p.name().equalsIgnoreCase(s)) return p;
            }
            throw new IllegalArgumentException("unknown pairing '" + s + "' (golden, ranked or both)");
        }
    }

    /**
     * The pairs; how many samples equalled the golden tokens exactly (no golden pair); how many
     * utterances' samples the scorer rated all alike (no ranked pair); the samples' mean word error
     * rate as the scorer heard them (NaN when nothing was scored); frames generated; seconds.
     */
    public record Result(List<PreferencePair> pairs, int droppedIdentical, int droppedTied, double sampleErrorRate, long generatedFrames,
            double seconds) {}

    private PreferenceDataset() {}

    /** Training pairs from train/dev utterances; a test-split utterance is refused. */
    public static Result build(CodecLm model, String modelVersion, List<Utterance> golden, Options o, Instant createdAt) {
        return build(model, modelVersion, golden, o, createdAt, null);
    }

    /** As {@link #build(CodecLm, String, List, Options, Instant)}; {@code scorer} ranks the samples for ranked pairs. */
    public static Result build(CodecLm model, String modelVersion, List<Utterance> golden, Options o, Instant createdAt,
            SampleScorer scorer) {
        for (Utterance u : golden) {
            if (u.split() == Split.TEST) {
                throw new IllegalArgumentException("utterance " + u.utteranceId() + " is held out (test split): it never becomes a training pair");
            }
        }
        if (o.pairing() != Pairing.GOLDEN && scorer == null) throw new IllegalArgumentException(o.pairing() + " pairs need a sample scorer");
        return generate(model, modelVersion, golden, o, createdAt, scorer);
    }

    /**
     * Pairs from test-split utterances, for held-out evaluation only (e.g. preference accuracy):
     * always golden over each sample, whatever {@code o.pairing()} says, since ranking test samples
     * would need the rater's hearing of held-out speech and preference accuracy asks about golden.
     */
    public static Result heldOut(CodecLm model, String modelVersion, List<Utterance> test, Options o, Instant createdAt) {
        for (Utterance u : test) {
            if (u.split() != Split.TEST) throw new IllegalArgumentException("utterance " + u.utteranceId() + " is not in the test split");
        }
        return generate(model, modelVersion, test, o.pairing() == Pairing.GOLDEN ? o
                : new Options(o.samplesPerUtterance(), o.sampling(), o.seed(), o.generationBatch(), Pairing.GOLDEN), createdAt, null);
    }

    /** The synthesis id of a self-play sample: stable for (model version, seed, utterance, index). */
    public static String synthesisId(String modelVersion, long seed, String utteranceId, int sample) {
        String v = modelVersion == null ? "unversioned" : modelVersion.substring(0, Math.min(16, modelVersion.length()));
        return "selfplay-" + v + "-" + seed + "-" + utteranceId + "-" + sample;
    }

    /** The sampling seed of a self-play request (String.hashCode is specified, so stable across JVMs). */
    static long requestSeed(long seed, String utteranceId, int sample) {
        return new SplittableRandom(seed * 1_000_003L + 31L * utteranceId.hashCode() + sample).nextLong();
    }

    private static Result generate(CodecLm model, String modelVersion, List<Utterance> golden, Options o, Instant createdAt,
            SampleScorer scorer) {
        long t0 = System.nanoTime();
        List<GenerationRequest> requests = new ArrayList<>();
        for (Utterance u : golden) {
            for (int k = 0; k < o.samplesPerUtterance(); k++) {
                requests.add(new GenerationRequest(u.speaker(), Examples.symbols(u.phones()), requestSeed(o.seed(), u.utteranceId(), k)));
            }
        }
        List<Generated> samples = new ArrayList<>(requests.size());
        var gen = model.generator();
        for (int start = 0; start < requests.size(); start += o.generationBatch()) {
            int end = Math.min(requests.size(), start + o.generationBatch());
            samples.addAll(gen.generate(model.manager(), requests.subList(start, end), o.sampling(), true));
        }
        List<PreferencePair> pairs = new ArrayList<>();
        int dropped = 0;
        int tied = 0;
        long frames = 0;
        double errors = 0;
        long words = 0;
        int n = o.samplesPerUtterance();
        for (int j = 0; j < golden.size(); j++) {
            Utterance u = golden.get(j);
            List<Generated> own = samples.subList(j * n, (j + 1) * n);
            List<PreferencePair.Side> sides = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                Generated g = own.get(k);
                frames += g.frames();
                sides.add(PreferencePair.Side.synthesis(synthesisId(modelVersion, o.seed(), u.utteranceId(), k), g.coarse(), g.durations()));
            }
            if (o.pairing() != Pairing.RANKED) {
                int[] goldenDurations = Examples.durations(u);
                PreferencePair.Side chosen = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), goldenDurations);
                for (int k = 0; k < n; k++) {
                    Generated g = own.get(k);
                    if (Arrays.equals(g.coarse(), u.tokens()[0]) && Arrays.equals(g.durations(), goldenDurations)) {
                        dropped++;
                        continue;
                    }
                    pairs.add(pair(PreferencePair.Source.GOLDEN_VS_SYNTHETIC, u, chosen, sides.get(k), modelVersion, createdAt));
                }
            }
            if (o.pairing() != Pairing.GOLDEN) {
                double[] e = scorer.errors(model, u, own);
                int best = 0;
                for (int k = 1; k < n; k++) {
                    if (e[k] < e[best]) best = k;
                }
                for (double x : e) errors += x;
                words += (long) n * Math.max(1, TextNormalizer.words(u.text()).size());
                int before = pairs.size();
                for (int k = 0; k < n; k++) {
                    if (e[k] > e[best]) {
                        pairs.add(pair(PreferencePair.Source.RATING_RANKED, u, sides.get(best), sides.get(k), modelVersion, createdAt));
                    }
                }
                if (pairs.size() == before) tied++;
            }
        }
        return new Result(List.copyOf(pairs), dropped, tied, words == 0 ? Double.NaN : errors / words, frames,
                (System.nanoTime() - t0) / 1e9);
    }

    private static PreferencePair pair(PreferencePair.Source source, Utterance u, PreferencePair.Side chosen, PreferencePair.Side rejected,
            String modelVersion, Instant createdAt) {
        return PreferencePair.of(source, u.utteranceId(), u.text(), u.speaker(), Examples.symbols(u.phones()), chosen, rejected,
                modelVersion, createdAt);
    }
}
