package org.speechalign.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;

/**
 * The golden side of evaluation, computed once per corpus version and cached under
 * {@code <cache>/eval/<corpus version>/}: the speaker model (trained on the golden train split,
 * decoded by the codec; validated on the dev split) and the golden round-trip report of a split.
 * A model's evaluation reuses both, so only the model's own speech goes through the ASR.
 */
public final class GoldenEvaluation {

    /**
     * Bumped whenever a measure changes, so stale caches are not reused (3: codec2 decodes with seeded
     * phases; 4: the recogniser's dither seeded; 5: the recogniser's dither drawn from a seeded generator
     * of each recognition's own, recognitions side by side).
     */
    public static final int METHOD_VERSION = 5;
    /** Training utterances per speaker for the speaker model (the first ones by id). */
    public static final int MAX_TRAIN_PER_SPEAKER = 300;
    private static final int MAX_CROSS_PAIRS = 60;

    public static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The speaker model and its validation, as cached. */
    public record TrainedSpeakers(SpeakerModel model, EvalReport.SpeakerModelInfo info) {}

    private final Codec codec;
    private final String corpusVersion;
    private final Path dir;

    public GoldenEvaluation(Path cacheRoot, Codec codec, String corpusVersion) {
        this.codec = codec;
        this.corpusVersion = corpusVersion;
        this.dir = cacheRoot.resolve("eval").resolve(corpusVersion.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private String suffix() {
        return codec.name() + "-" + codec.mode() + "-v" + METHOD_VERSION + ".json";
    }

    public Path cacheDir() {
        return dir;
    }

    /** Loads the cached speaker model of this corpus version or trains and caches it. */
    public TrainedSpeakers speakers(List<Utterance> corpus) {
        Path file = dir.resolve("speaker-model-" + suffix());
        if (Files.isRegularFile(file)) {
            try {
                return JSON.readValue(file.toFile(), TrainedSpeakers.class);
            } catch (IOException e) {
                // unreadable cache: retrain below
            }
        }
        TrainedSpeakers t = trainSpeakers(corpus);
        write(file, t);
        return t;
    }

    TrainedSpeakers trainSpeakers(List<Utterance> corpus) {
        Map<String, List<double[]>> train = new TreeMap<>();
        Map<String, List<Utterance>> bySpeaker = new TreeMap<>();
        for (Utterance u : corpus) if (u.split() == Split.TRAIN) bySpeaker.computeIfAbsent(u.speaker(), k -> new ArrayList<>()).add(u);
        int count = 0;
        for (Map.Entry<String, List<Utterance>> e : bySpeaker.entrySet()) {
            List<Utterance> list = new ArrayList<>(e.getValue());
            list.sort(Comparator.comparing(Utterance::utteranceId));
            for (Utterance u : list.subList(0, Math.min(MAX_TRAIN_PER_SPEAKER, list.size()))) {
                train.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(stats(u));
                count++;
            }
        }
        SpeakerModel model = SpeakerModel.train(train);
        Split heldSplit = corpus.stream().anyMatch(u -> u.split() == Split.DEV) ? Split.DEV : Split.TEST;
        Map<String, List<double[]>> held = new TreeMap<>();
        for (Utterance u : corpus) {
            if (u.split() == heldSplit && model.centroids().containsKey(u.speaker())) {
                held.computeIfAbsent(u.speaker(), k -> new ArrayList<>()).add(stats(u));
            }
        }
        double same = 0, other = 0;
        int ns = 0, no = 0, nHeld = 0;
        for (Map.Entry<String, List<double[]>> e : held.entrySet()) {
            for (double[] x : e.getValue()) {
                nHeld++;
                for (String s : model.centroids().keySet()) {
                    double v = model.similarity(x, s);
                    if (s.equals(e.getKey())) { same += v; ns++; } else { other += v; no++; }
                }
            }
        }
        EvalReport.SpeakerModelInfo info = new EvalReport.SpeakerModelInfo(SpeakerModel.METHOD, count,
                List.copyOf(model.centroids().keySet()), heldSplit.wireName(), nHeld, model.identificationAccuracy(held),
                ns == 0 ? Double.NaN : same / ns, no == 0 ? Double.NaN : other / no);
        return new TrainedSpeakers(model, info);
    }

    private double[] stats(Utterance u) {
        return SpeakerModel.statistics(codec.decode(u.tokens()), codec.sampleRate());
    }

    /** An evaluator for any system on this corpus, with the cached speaker model. */
    public Evaluator evaluator(List<Utterance> corpus, SpeechRecognizer asr, int threads) {
        TrainedSpeakers t = speakers(corpus);
        return new Evaluator(codec, asr, t.model(), t.info(), threads);
    }

    /** The golden round trip on {@code split}, from the cache or computed (and cached) now. */
    public EvalReport golden(List<Utterance> corpus, Split split, Supplier<SpeechRecognizer> asr, int threads,
                             boolean refresh) {
        return golden(corpus, split, 0, asr, threads, refresh, r -> { });
    }

    /**
     * The golden round trip on the first {@code limit} utterances of {@code split} (0: all), cached
     * per corpus version, split, limit, codec and method version.
     */
    public EvalReport golden(List<Utterance> corpus, Split split, int limit, Supplier<SpeechRecognizer> asr, int threads,
                             boolean refresh, java.util.function.Consumer<UtteranceResult> progress) {
        Path file = dir.resolve("golden-" + split.wireName() + (limit > 0 ? "-first" + limit : "") + "-" + suffix());
        if (!refresh && Files.isRegularFile(file)) {
            try {
                return JSON.readValue(file.toFile(), EvalReport.class);
            } catch (IOException e) {
                // unreadable cache: recompute below
            }
        }
        List<Utterance> utts = splitOf(corpus, split, limit);
        if (utts.isEmpty()) throw new IllegalArgumentException("the corpus has no " + split.wireName() + " utterances");
        long start = System.nanoTime();
        Evaluator ev = evaluator(corpus, asr.get(), threads);
        EvalReport r = ev.evaluate("golden", corpusVersion, split.wireName(), utts, Evaluator.golden(codec), progress);
        r = r.withCrossSpeakerMcd(crossSpeakerMcd(utts)).withEvalSeconds((System.nanoTime() - start) / 1e9);
        write(file, r);
        return r;
    }

    /** The utterances of {@code split} in corpus order, the first {@code limit} of them if {@code limit > 0}. */
    public static List<Utterance> splitOf(List<Utterance> corpus, Split split, int limit) {
        List<Utterance> utts = corpus.stream().filter(u -> u.split() == split).toList();
        return limit > 0 && limit < utts.size() ? utts.subList(0, limit) : utts;
    }

    /** Mean MCD between golden utterances of the same text by two different speakers (a scale for model MCD). */
    double crossSpeakerMcd(List<Utterance> utts) {
        Map<String, List<Utterance>> byText = new LinkedHashMap<>();
        for (Utterance u : utts) byText.computeIfAbsent(TextNormalizer.normalize(u.text()), k -> new ArrayList<>()).add(u);
        double sum = 0;
        int n = 0;
        for (List<Utterance> same : byText.values()) {
            if (n >= MAX_CROSS_PAIRS) break;
            for (int i = 1; i < same.size(); i++) {
                if (!same.get(i).speaker().equals(same.get(0).speaker())) {
                    sum += MelCepstralDistortion.mcd(codec.decode(same.get(i).tokens()), codec.decode(same.get(0).tokens()),
                            codec.sampleRate());
                    n++;
                    break;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static void write(Path file, Object value) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".json");
            JSON.writeValue(tmp.toFile(), value);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the evaluation cache " + file, e);
        }
    }
}
