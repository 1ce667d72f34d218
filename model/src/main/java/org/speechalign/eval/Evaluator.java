package org.speechalign.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Utterance;

/**
 * Evaluates speech for golden utterances: any system is a function utterance → PCM at the codec's
 * sample rate (a model synthesises tokens and decodes them with the same codec; the golden round
 * trip decodes the golden tokens). Golden reference speech is always the golden tokens decoded by
 * the same codec, so codec loss is not counted against a model. codec2 synthesises phases with a
 * random generator whose state lives on between calls, so two decodes of the same tokens differ a
 * little: the golden round trip's MCD (≈ 1 dB) is the floor any system can reach.
 */
public final class Evaluator {

    private final Codec codec;
    private final SpeechRecognizer asr;
    private final SpeakerModel speakers;
    private final EvalReport.SpeakerModelInfo speakerInfo;
    private final int threads;
    private final int resamples;
    private final long seed;

    public Evaluator(Codec codec, SpeechRecognizer asr, SpeakerModel speakers, EvalReport.SpeakerModelInfo speakerInfo,
                     int threads) {
        this(codec, asr, speakers, speakerInfo, threads, Bootstrap.DEFAULT_RESAMPLES, Bootstrap.DEFAULT_SEED);
    }

    public Evaluator(Codec codec, SpeechRecognizer asr, SpeakerModel speakers, EvalReport.SpeakerModelInfo speakerInfo,
                     int threads, int resamples, long seed) {
        this.codec = codec;
        this.asr = asr;
        this.speakers = speakers;
        this.speakerInfo = speakerInfo;
        this.threads = Math.max(1, threads);
        this.resamples = resamples;
        this.seed = seed;
    }

    /** The golden round trip: golden tokens decoded by the codec. */
    public static Function<Utterance, short[]> golden(Codec codec) {
        return u -> codec.decode(u.tokens());
    }

    /** A system that writes tokens ({@code tokens[codebook][frame]}), decoded by the same codec. */
    public static Function<Utterance, short[]> fromTokens(Codec codec, Function<Utterance, int[][]> tokens) {
        return u -> codec.decode(tokens.apply(u));
    }

    /** One utterance: {@code pcm} is the system's speech, {@code golden} the golden round trip. */
    public UtteranceResult evaluateOne(Utterance u, short[] pcm, short[] golden) {
        int rate = codec.sampleRate();
        SpeechRecognizer.Transcript t = asr.recognize(pcm, rate);
        WordErrorRate.Counts c = WordErrorRate.score(u.text(), t.text());
        double sim = speakers.similarity(pcm, rate, u.speaker());
        double mcd = MelCepstralDistortion.mcd(pcm, golden, rate);
        return new UtteranceResult(u.utteranceId(), u.speaker(), u.text(), t.text(), c.substitutions(), c.deletions(),
                c.insertions(), c.referenceWords(), sim, mcd, (double) pcm.length / rate);
    }

    /** Evaluates {@code system} on {@code utterances}; per-utterance results keep the input order. */
    public EvalReport evaluate(String system, String corpusVersion, String split, List<Utterance> utterances,
                               Function<Utterance, short[]> speech) {
        return evaluate(system, corpusVersion, split, utterances, speech, r -> { });
    }

    /** As above, calling {@code progress} with each utterance's result as it completes. */
    public EvalReport evaluate(String system, String corpusVersion, String split, List<Utterance> utterances,
                               Function<Utterance, short[]> speech, java.util.function.Consumer<UtteranceResult> progress) {
        long start = System.nanoTime();
        Function<Utterance, short[]> golden = golden(codec);
        List<UtteranceResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<UtteranceResult>> futures = new ArrayList<>();
            for (Utterance u : utterances) futures.add(pool.submit(() -> {
                UtteranceResult r = evaluateOne(u, speech.apply(u), golden.apply(u));
                synchronized (progress) {
                    progress.accept(r);
                }
                return r;
            }));
            for (Future<UtteranceResult> f : futures) results.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("evaluation failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return summarise(system, corpusVersion, split, results, (System.nanoTime() - start) / 1e9);
    }

    /** Aggregates per-utterance results with seeded bootstrap intervals. */
    public EvalReport summarise(String system, String corpusVersion, String split, List<UtteranceResult> results,
                                double seconds) {
        int n = results.size();
        double[] err = new double[n], words = new double[n], sim = new double[n], mcd = new double[n];
        double audio = 0;
        for (int i = 0; i < n; i++) {
            UtteranceResult r = results.get(i);
            err[i] = r.errors();
            words[i] = r.referenceWords();
            sim[i] = r.similarity();
            mcd[i] = r.mcdDb();
            audio += r.seconds();
        }
        return new EvalReport(system, corpusVersion, split, codec.name() + "/" + codec.mode(), n, audio,
                Bootstrap.ratio(err, words, resamples, seed), Bootstrap.mean(sim, resamples, seed),
                Bootstrap.mean(mcd, resamples, seed), Double.NaN, speakerInfo, seconds, List.copyOf(results));
    }
}
