package org.speechalign.dpo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
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
     */
    public record Options(int samplesPerUtterance, SamplingConfig sampling, long seed, int generationBatch) {
        public Options {
            if (samplesPerUtterance < 1) throw new IllegalArgumentException("samples per utterance must be >= 1");
            if (generationBatch < 1) throw new IllegalArgumentException("generation batch must be >= 1");
        }

        public static Options defaults(long seed) {
            return new Options(1, SamplingConfig.DEFAULT, seed, 16);
        }
    }

    /** The pairs, how many samples equalled the golden tokens exactly (dropped), frames generated, seconds. */
    public record Result(List<PreferencePair> pairs, int droppedIdentical, long generatedFrames, double seconds) {}

    private PreferenceDataset() {}

    /** Training pairs from train/dev utterances; a test-split utterance is refused. */
    public static Result build(CodecLm model, String modelVersion, List<Utterance> golden, Options o, Instant createdAt) {
        for (Utterance u : golden) {
            if (u.split() == Split.TEST) {
                throw new IllegalArgumentException("utterance " + u.utteranceId() + " is held out (test split): it never becomes a training pair");
            }
        }
        return generate(model, modelVersion, golden, o, createdAt);
    }

    /** Pairs from test-split utterances, for held-out evaluation only (e.g. preference accuracy). */
    public static Result heldOut(CodecLm model, String modelVersion, List<Utterance> test, Options o, Instant createdAt) {
        for (Utterance u : test) {
            if (u.split() != Split.TEST) throw new IllegalArgumentException("utterance " + u.utteranceId() + " is not in the test split");
        }
        return generate(model, modelVersion, test, o, createdAt);
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

    private static Result generate(CodecLm model, String modelVersion, List<Utterance> golden, Options o, Instant createdAt) {
        long t0 = System.nanoTime();
        List<GenerationRequest> requests = new ArrayList<>();
        List<Utterance> owners = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (Utterance u : golden) {
            for (int k = 0; k < o.samplesPerUtterance(); k++) {
                requests.add(new GenerationRequest(u.speaker(), Examples.symbols(u.phones()), requestSeed(o.seed(), u.utteranceId(), k)));
                owners.add(u);
                index.add(k);
            }
        }
        List<PreferencePair> pairs = new ArrayList<>();
        int dropped = 0;
        long frames = 0;
        var gen = model.generator();
        for (int start = 0; start < requests.size(); start += o.generationBatch()) {
            int end = Math.min(requests.size(), start + o.generationBatch());
            List<Generated> out = gen.generate(model.manager(), requests.subList(start, end), o.sampling(), true);
            for (int i = start; i < end; i++) {
                Utterance u = owners.get(i);
                Generated g = out.get(i - start);
                frames += g.frames();
                int[] goldenDurations = Examples.durations(u);
                if (Arrays.equals(g.coarse(), u.tokens()[0]) && Arrays.equals(g.durations(), goldenDurations)) {
                    dropped++;
                    continue;
                }
                PreferencePair.Side chosen = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), goldenDurations);
                PreferencePair.Side rejected = PreferencePair.Side.synthesis(
                        synthesisId(modelVersion, o.seed(), u.utteranceId(), index.get(i)), g.coarse(), g.durations());
                pairs.add(PreferencePair.of(PreferencePair.Source.GOLDEN_VS_SYNTHETIC, u.utteranceId(), u.text(), u.speaker(),
                        Examples.symbols(u.phones()), chosen, rejected, modelVersion, createdAt));
            }
        }
        return new Result(List.copyOf(pairs), dropped, frames, (System.nanoTime() - t0) / 1e9);
    }
}
