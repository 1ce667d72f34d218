package org.speechalign.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.speechalign.MissingDependencyException;
import org.speechalign.codec.Codec;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.Comparison;
import org.speechalign.eval.EvalHome;
import org.speechalign.eval.EvalReport;
import org.speechalign.eval.Evaluator;
import org.speechalign.eval.GoldenEvaluation;
import org.speechalign.eval.ReportTable;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.SpeechSystem;
import org.speechalign.eval.SpeechSystemProvider;
import org.speechalign.lm.eval.CodecLmSpeech;
import org.speechalign.lm.eval.DistributionGap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign eval}: WER, speaker similarity and MCD on held-out golden utterances. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates speech on held-out golden utterances, decoded through the codec:",
            "WER (Vosk, 95 %% bootstrap interval), speaker similarity and mel-cepstral distortion.",
            "Golden-side results are cached per corpus version under $SPEECHALIGN_HOME/cache/eval."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--golden", description = "Evaluate the golden round trip (golden tokens decoded by the codec).")
    boolean golden;

    @Option(names = "--model", paramLabel = "M", description = "Evaluate model M (found through SpeechSystemProvider) beside golden.")
    String model;

    @Option(names = "--split", defaultValue = "test", description = "Split to evaluate on: train, dev or test (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus folder (default: the built-in corpus/builtin-v2).")
    Path corpus;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N utterances of the split (0: all).")
    int limit;

    @Option(names = "--threads", defaultValue = "1", description = "Utterances evaluated in parallel (Vosk takes about a core each).")
    int threads;

    @Option(names = "--refresh", description = "Recompute golden results even if cached.")
    boolean refresh;

    @Option(names = "--json", description = "Print JSON (with per-utterance results) instead of a table.")
    boolean json;

    @Option(names = "--no-gap", description = "For a codec language model, skip the distribution-gap measures "
            + "(NAR on golden coarse tokens; golden-vs-synthetic classifier).")
    boolean noGap;

    @Option(names = "--gap-durations", description = "With the gap measures, also evaluate the AR model sampling coarse tokens "
            + "for the golden durations (frames per phone): splits the gap into the AR's timing and the rest.")
    boolean gapDurations;

    @Option(names = "--gap-train", defaultValue = "200", description = "Train-split utterances the golden-vs-synthetic classifier "
            + "learns from (default ${DEFAULT-VALUE}).")
    int gapTrain;

    @Option(names = "--temperature", defaultValue = "1.0", description = "AR sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "1", description = "Base sampling seed; each utterance's seed derives from it and its id.")
    long seed;

    @Option(names = "--batch-size", defaultValue = "16", description = "Utterances generated together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        if (!golden && model == null) throw new UserFacingException("eval: say what to evaluate: --golden and/or --model M");
        Split s;
        try {
            s = Split.fromWire(split);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("eval: unknown split '" + split + "' (train, dev or test)");
        }
        Codec codec;
        try {
            codec = new Codec2Codec();
        } catch (MissingDependencyException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        org.speechalign.corpus.CorpusFile.Corpus loaded = CorpusFiles.load(corpus);
        List<Utterance> utterances = loaded.utterances();
        String version = loaded.version();
        GoldenEvaluation ge = new GoldenEvaluation(EvalHome.cacheDir(), codec, version);
        SpeechRecognizer[] asr = new SpeechRecognizer[1];
        Supplier<SpeechRecognizer> asrOnce = () -> {
            if (asr[0] == null) asr[0] = SpeechRecognizer.openDefault();
            return asr[0];
        };
        try {
            List<Utterance> utts = GoldenEvaluation.splitOf(utterances, s, limit);
            if (utts.isEmpty()) throw new UserFacingException("eval: corpus " + version + " has no " + split + " utterances");
            EvalReport goldenReport = ge.golden(utterances, s, limit, asrOnce, threads, refresh, progress("golden", utts.size()));
            List<EvalReport> reports = new ArrayList<>(List.of(goldenReport));
            List<Comparison> comparisons = new ArrayList<>();
            ObjectNode gap = null;
            if (model != null) {
                Optional<CodecLmSpeech> lm = CodecLmProvider.open(model, codec,
                        CodecLmProvider.EVAL_SAMPLING.withTemperature(temperature), seed);
                try (SpeechSystem system = lm.isPresent() ? lm.get() : openModel(model, codec)) {
                    Evaluator ev = ge.evaluator(utterances, asrOnce.get(), threads);
                    long start = System.nanoTime();
                    double generationSeconds = Double.NaN;
                    if (lm.isPresent()) { // batched generation up front (speak() reuses it)
                        lm.get().prepare(utts, batchSize);
                        generationSeconds = (System.nanoTime() - start) / 1e9;
                    }
                    EvalReport m = ev.evaluate(system.name(), version, s.wireName(), utts, system::speak,
                            progress(system.name(), utts.size()));
                    m = m.withEvalSeconds((System.nanoTime() - start) / 1e9);
                    reports.add(m);
                    comparisons.add(Comparison.paired(m, goldenReport));
                    if (lm.isPresent() && !noGap) {
                        gap = distributionGap(lm.get(), ev, utterances, utts, version, s, m, reports, comparisons);
                        gap.put("ar_generation_seconds", generationSeconds);
                    }
                }
            }
            if (json) {
                ObjectNode out = GoldenEvaluation.JSON.createObjectNode();
                out.set("golden", GoldenEvaluation.JSON.valueToTree(goldenReport));
                if (reports.size() > 1) out.set("model", GoldenEvaluation.JSON.valueToTree(reports.get(1)));
                if (!comparisons.isEmpty()) out.set("model_minus_golden", GoldenEvaluation.JSON.valueToTree(comparisons.get(0)));
                if (gap != null) out.set("distribution_gap", gap);
                System.out.println(GoldenEvaluation.JSON.writeValueAsString(out));
            } else {
                System.out.print(ReportTable.format(reports, comparisons));
                if (gap != null) System.out.print(gapSummary(gap));
            }
            return 0;
        } finally {
            if (asr[0] != null) asr[0].close();
        }
    }

    /**
     * The paper's distribution gap: the NAR fed golden coarse tokens (evaluated like any system,
     * added to the reports) vs the model as used (NAR on its AR's tokens), and the held-out accuracy
     * of a classifier telling golden from synthetic coarse sequences (train split → evaluated split).
     */
    private ObjectNode distributionGap(CodecLmSpeech lm, Evaluator ev, List<Utterance> corpus, List<Utterance> utts, String version,
            Split s, EvalReport synthetic, List<EvalReport> reports, List<Comparison> comparisons) {
        Beside g = evaluateBeside(lm.withGoldenCoarse("NAR on golden"), ev, utts, version, s, synthetic, reports, comparisons);
        Beside timed = null;
        if (gapDurations) {
            CodecLmSpeech onGoldenDurations = lm.withGoldenDurations("AR on golden durations");
            onGoldenDurations.prepare(utts, batchSize); // batched generation up front, as for the model
            timed = evaluateBeside(onGoldenDurations, ev, utts, version, s, synthetic, reports, comparisons);
        }
        java.util.Set<String> evaluated = new java.util.HashSet<>();
        utts.forEach(u -> evaluated.add(u.utteranceId()));
        List<Utterance> trainPool = corpus.stream().filter(u -> u.split() == Split.TRAIN && !evaluated.contains(u.utteranceId())).toList();
        System.err.printf("eval: golden-vs-synthetic classifier: generating %d train-split utterances%n", Math.min(gapTrain, trainPool.size()));
        DistributionGap.ClassifierReport c = DistributionGap.classify(lm, DistributionGap.spread(trainPool, gapTrain), utts, batchSize);
        ObjectNode out = GoldenEvaluation.JSON.createObjectNode();
        out.set("nar_on_golden_coarse", GoldenEvaluation.JSON.valueToTree(g.report()));
        ObjectNode table = out.putObject("table1");
        table.put("wer_nar_golden_coarse", g.report().wer().value());
        table.put("wer_nar_synthetic_coarse", synthetic.wer().value());
        table.put("similarity_nar_golden_coarse", g.report().similarity().value());
        table.put("similarity_nar_synthetic_coarse", synthetic.similarity().value());
        table.put("mcd_db_nar_golden_coarse", g.report().mcdDb().value());
        table.put("mcd_db_nar_synthetic_coarse", synthetic.mcdDb().value());
        out.set("synthetic_minus_golden_coarse", GoldenEvaluation.JSON.valueToTree(g.syntheticMinus()));
        if (timed != null) {
            out.set("ar_on_golden_durations", GoldenEvaluation.JSON.valueToTree(timed.report()));
            table.put("wer_ar_golden_durations", timed.report().wer().value());
            out.set("synthetic_minus_golden_durations", GoldenEvaluation.JSON.valueToTree(timed.syntheticMinus()));
        }
        out.set("classifier", GoldenEvaluation.JSON.valueToTree(c));
        return out;
    }

    /** A variant of the model evaluated beside it, and the model as used minus the variant, paired. */
    private record Beside(EvalReport report, Comparison syntheticMinus) {
    }

    /** Evaluates {@code variant} (timed), adding its report and the paired difference {@code synthetic} − it. */
    private static Beside evaluateBeside(CodecLmSpeech variant, Evaluator ev, List<Utterance> utts, String version, Split s,
                                         EvalReport synthetic, List<EvalReport> reports, List<Comparison> comparisons) {
        long start = System.nanoTime();
        EvalReport r = ev.evaluate(variant.name(), version, s.wireName(), utts, variant::speak, progress(variant.name(), utts.size()))
                .withEvalSeconds((System.nanoTime() - start) / 1e9);
        Comparison diff = Comparison.paired(synthetic, r);
        reports.add(r);
        comparisons.add(diff);
        return new Beside(r, diff);
    }

    private static String gapSummary(ObjectNode gap) {
        var t = gap.get("table1");
        var c = gap.get("classifier");
        var h = c.get("held_out");
        return String.format(java.util.Locale.ROOT,
                "Distribution gap (paper's Table 1): NAR on golden coarse tokens WER %.1f %%, sim. %.3f; on synthetic %.1f %%, sim. %.3f.%n"
                        + "Golden-vs-synthetic classifier (%d train utterances → %d + %d held-out sequences): accuracy %.1f %% [%.1f, %.1f],"
                        + " AUC %.3f (50 %% = no gap).%n",
                100 * t.get("wer_nar_golden_coarse").asDouble(), t.get("similarity_nar_golden_coarse").asDouble(),
                100 * t.get("wer_nar_synthetic_coarse").asDouble(), t.get("similarity_nar_synthetic_coarse").asDouble(),
                c.get("train_utterances").asInt(), h.get("golden_sequences").asInt(), h.get("synthetic_sequences").asInt(),
                100 * h.get("accuracy").asDouble(), 100 * h.get("accuracy_low").asDouble(), 100 * h.get("accuracy_high").asDouble(),
                h.get("auc").asDouble());
    }

    private static java.util.function.Consumer<org.speechalign.eval.UtteranceResult> progress(String what, int total) {
        AtomicInteger done = new AtomicInteger();
        return r -> {
            int n = done.incrementAndGet();
            if (n % 10 == 0 || n == total) System.err.printf("eval %s: %d/%d utterances%n", what, n, total);
        };
    }

    private static SpeechSystem openModel(String reference, Codec codec) {
        for (SpeechSystemProvider p : ServiceLoader.load(SpeechSystemProvider.class)) {
            Optional<SpeechSystem> s = p.open(reference, codec);
            if (s.isPresent()) return s.get();
        }
        throw new UserFacingException("eval: no model named '" + reference + "' (no SpeechSystemProvider knows it yet)");
    }
}
