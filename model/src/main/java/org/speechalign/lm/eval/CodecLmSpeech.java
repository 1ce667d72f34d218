package org.speechalign.lm.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.SpeechSystem;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.Generated;
import org.speechalign.lm.NarBatch;
import org.speechalign.lm.SamplingConfig;

/**
 * The codec language model as a {@link SpeechSystem} for the evaluation harness. Two ways to speak
 * a golden utterance's (speaker, phones):
 * <ul>
 * <li>{@link Coarse#SYNTHETIC}: the AR model samples durations and coarse tokens, the NAR fills
 * the fine codebooks — the model as it is used ("NAR on synthetic coarse tokens");</li>
 * <li>{@link Coarse#GOLDEN}: the NAR is fed the golden durations and coarse tokens ("NAR on golden
 * coarse tokens"), the other half of the paper's distribution-gap comparison;</li>
 * <li>{@link Coarse#GOLDEN_DURATIONS}: the AR model samples the coarse tokens of the golden number of
 * frames per phone, the NAR completes them: between the two, it splits the gap into the AR's timing
 * and the rest of its coarse tokens.</li>
 * </ul>
 * Each utterance's sampling seed is derived from the base seed and its utterance id, so results do
 * not depend on batching or order. {@link #prepare} generates many utterances in batches (fast);
 * {@link #speak} generates alone what was not prepared. The synthetic coarse sequences are kept
 * ({@link #generated}) for the golden-vs-synthetic classifier.
 */
public final class CodecLmSpeech implements SpeechSystem {

    /** Which coarse tokens the NAR is fed. */
    public enum Coarse { SYNTHETIC, GOLDEN, GOLDEN_DURATIONS }

    private final CodecLm lm;
    private final Codec codec;
    private final String name;
    private final Coarse coarse;
    private final SamplingConfig sampling;
    private final long seed;
    private final boolean ownsModel;
    private final Map<String, Generated> generated = new HashMap<>();

    public CodecLmSpeech(CodecLm lm, Codec codec, String name, Coarse coarse, SamplingConfig sampling, long seed, boolean ownsModel) {
        this.lm = lm;
        this.codec = codec;
        this.name = name;
        this.coarse = coarse;
        this.sampling = sampling;
        this.seed = seed;
        this.ownsModel = ownsModel;
    }

    /** The same model and settings feeding the NAR golden coarse tokens (does not own the model). */
    public CodecLmSpeech withGoldenCoarse(String newName) {
        return new CodecLmSpeech(lm, codec, newName, Coarse.GOLDEN, sampling, seed, false);
    }

    /** The same model and settings sampling coarse tokens for the golden durations (does not own the model). */
    public CodecLmSpeech withGoldenDurations(String newName) {
        return new CodecLmSpeech(lm, codec, newName, Coarse.GOLDEN_DURATIONS, sampling, seed, false);
    }

    public CodecLm model() {
        return lm;
    }

    public SamplingConfig sampling() {
        return sampling;
    }

    public long seed() {
        return seed;
    }

    @Override
    public String name() {
        return name;
    }

    /** The sampling seed of an utterance: a function of the base seed and its id only. */
    public static long seedOf(long seed, String utteranceId) {
        long h = 1125899906842597L;
        for (byte b : utteranceId.getBytes(StandardCharsets.UTF_8)) h = 31 * h + b;
        return h ^ (seed * 0x9E3779B97F4A7C15L);
    }

    /** Generates the coarse tokens of {@code utterances} in batches of {@code batchSize} (kept for {@link #speak}). */
    public synchronized List<Generated> prepare(List<Utterance> utterances, int batchSize) {
        List<Generated> out = new ArrayList<>(utterances.size());
        try (NDManager m = lm.manager().newSubManager()) {
            for (int i = 0; i < utterances.size(); i += batchSize) {
                List<Utterance> part = utterances.subList(i, Math.min(utterances.size(), i + batchSize));
                List<GenerationRequest> reqs = part.stream().map(this::request).toList();
                List<Generated> g = lm.generator().generate(m, reqs, sampling, true);
                for (int j = 0; j < part.size(); j++) generated.put(part.get(j).utteranceId(), g.get(j));
                out.addAll(g);
            }
        }
        return out;
    }

    private GenerationRequest request(Utterance u) {
        List<Integer> durations = coarse == Coarse.GOLDEN_DURATIONS ? Arrays.stream(Examples.durations(u)).boxed().toList() : List.of();
        return new GenerationRequest(u.speaker(), Examples.symbols(u.phones()), seedOf(seed, u.utteranceId()), durations);
    }

    /** The synthetic coarse sequence of an utterance (generating it now if it was not prepared). */
    public synchronized Generated generated(Utterance u) {
        Generated g = generated.get(u.utteranceId());
        if (g == null) {
            g = prepare(List.of(u), 1).get(0);
        }
        return g;
    }

    /** All codebooks ({@code [codebook][frame]}) this system writes for {@code u}. */
    public synchronized int[][] tokens(Utterance u) {
        NarBatch.Item item;
        int[] coarseTokens;
        if (coarse == Coarse.GOLDEN) {
            item = Examples.nar(lm.config(), u);
            coarseTokens = u.tokens()[0];
        } else {
            Generated g = generated(u);
            item = Examples.nar(lm.config(), u.speaker(), Examples.symbols(u.phones()), g);
            coarseTokens = g.coarse();
        }
        int q = lm.config().fineCodebooks();
        int[][] tokens = new int[1 + q][];
        tokens[0] = coarseTokens;
        if (coarseTokens.length == 0) {
            for (int i = 1; i <= q; i++) tokens[i] = new int[0];
            return tokens;
        }
        try (NDManager m = lm.manager().newSubManager()) {
            int[][][] fine = lm.nar().predict(new ParameterStore(m, false), NarBatch.of(m, lm.config(), List.of(item)));
            System.arraycopy(fine[0], 0, tokens, 1, q);
        }
        return tokens;
    }

    @Override
    public short[] speak(Utterance u) {
        int[][] t = tokens(u);
        return t[0].length == 0 ? new short[0] : codec.decode(t);
    }

    @Override
    public void close() {
        if (ownsModel) lm.close();
    }
}
