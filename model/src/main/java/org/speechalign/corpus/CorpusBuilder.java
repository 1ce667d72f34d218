package org.speechalign.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.speechalign.MissingDependencyException;
import org.speechalign.codec.Codec;

/**
 * Builds golden utterances: for every sentence × voice, flite speech (8 kHz) → codec tokens,
 * and {@code -psdur} phones → durations in codec frames. The split is the sentence's
 * ({@link SplitRule}). Output order is sentence order then voice order, whatever the thread
 * timing, so a build is deterministic. Any failure fails the build (a golden corpus is complete).
 */
public final class CorpusBuilder {
    public static final int MAX_THREADS = 2;

    private final Flite flite;
    private final Codec codec;
    private final String corpusVersion;

    public CorpusBuilder(Flite flite, Codec codec, String corpusVersion) {
        this.flite = flite;
        this.codec = codec;
        this.corpusVersion = corpusVersion;
    }

    /** Utterance id of a sentence in a voice, e.g. {@code fm0042-slt}. */
    public static String utteranceId(Sentence s, String voice) {
        return s.id() + "-" + voice;
    }

    public Utterance utterance(Sentence sentence, String voice) {
        Flite.Synthesis speech = flite.synthesise(sentence.text(), voice, codec.sampleRate());
        int[][] tokens = codec.encode(speech.pcm());
        List<Phone> phones = PhoneAlignment.toFrames(speech.phones(), tokens[0].length, codec.framesPerSecond());
        return new Utterance(utteranceId(sentence, voice), sentence.text(), voice, phones, tokens,
                codec.name(), codec.mode(), SplitRule.of(sentence.text()), corpusVersion);
    }

    /** Builds every sentence in every voice on at most {@value #MAX_THREADS} threads; {@code done} sees each finished utterance. */
    public List<Utterance> build(List<Sentence> sentences, List<String> voices, int threads, Consumer<Utterance> done) {
        flite.requireVoices(voices);
        int n = Math.max(1, Math.min(MAX_THREADS, threads));
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "corpus-build");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Utterance>> futures = new ArrayList<>();
            for (Sentence s : sentences) {
                for (String voice : voices) {
                    futures.add(pool.submit(() -> {
                        try {
                            Utterance u = utterance(s, voice);
                            done.accept(u);
                            return u;
                        } catch (MissingDependencyException e) {
                            throw e;
                        } catch (RuntimeException e) {
                            throw new IllegalStateException(utteranceId(s, voice) + ": " + e.getMessage(), e);
                        }
                    }));
                }
            }
            List<Utterance> out = new ArrayList<>(futures.size());
            for (Future<Utterance> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) throw r;
                    throw new IllegalStateException(cause);
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("corpus build interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
