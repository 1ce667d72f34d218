package org.speechalign.dpo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;

/**
 * SpeechAlign's iterative loop as a library. Iteration k (1..K) loads iteration k−1's archive (the
 * base for k = 1) twice — as the policy it starts from and as the frozen reference — has the policy
 * regenerate the rejected samples for the training utterances, precomputes the reference
 * log-probs, runs DPO, saves the result as a content-addressed archive (its manifest records the
 * parent and reference sha256), evaluates it on the test split and records everything. Optionally
 * the ablation: continued SFT from the base on the same golden utterances for the same total number
 * of steps (K × steps) and the same optimiser settings.
 */
public final class AlignmentLoop {

    /**
     * @param iterations K
     * @param dpo DPO settings of every iteration (its seed is offset by the iteration)
     * @param pairs how rejected samples are drawn (its seed is offset by the iteration)
     * @param sftAblation also run continued SFT
     * @param referenceBatch batch size of the reference precomputation
     */
    public record Options(int iterations, DpoConfig dpo, PreferenceDataset.Options pairs, boolean sftAblation, int referenceBatch,
            ContinuedSft.Objective sftObjective) {
        public Options {
            if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1");
            if (sftObjective == null) sftObjective = ContinuedSft.Objective.MODEL;
        }

        public Options(int iterations, DpoConfig dpo, PreferenceDataset.Options pairs, boolean sftAblation, int referenceBatch) {
            this(iterations, dpo, pairs, sftAblation, referenceBatch, ContinuedSft.Objective.MODEL);
        }
    }

    /** One iteration's record. */
    public record Iteration(
            @JsonProperty("iteration") int iteration,
            @JsonProperty("start_sha256") String startSha256,
            @JsonProperty("reference_sha256") String referenceSha256,
            @JsonProperty("archive_sha256") String archiveSha256,
            @JsonProperty("archive") String archive,
            @JsonProperty("pairs") int pairs,
            @JsonProperty("dropped_identical") int droppedIdentical,
            @JsonProperty("dropped_tied") int droppedTied,
            @JsonProperty("sample_wer") Double sampleWer,
            @JsonProperty("generation_seconds") double generationSeconds,
            @JsonProperty("reference_seconds") double referenceSeconds,
            @JsonProperty("train_seconds") double trainSeconds,
            @JsonProperty("tokens_per_second") double tokensPerSecond,
            @JsonProperty("final_metrics") Map<String, Float> finalMetrics,
            @JsonProperty("eval") Map<String, Double> eval) {}

    /** The ablation's record. */
    public record Sft(
            @JsonProperty("archive_sha256") String archiveSha256,
            @JsonProperty("steps") int steps,
            @JsonProperty("objective") String objective,
            @JsonProperty("train_seconds") double trainSeconds,
            @JsonProperty("final_metrics") Map<String, Float> finalMetrics,
            @JsonProperty("eval") Map<String, Double> eval) {}

    public record Report(
            @JsonProperty("base_sha256") String baseSha256,
            @JsonProperty("train_utterances") int trainUtterances,
            @JsonProperty("test_utterances") int testUtterances,
            @JsonProperty("dpo_config") DpoConfig dpo,
            @JsonProperty("samples_per_utterance") int samplesPerUtterance,
            @JsonProperty("sampling_temperature") double samplingTemperature,
            @JsonProperty("pairing") String pairing,
            @JsonProperty("base_eval") Map<String, Double> baseEval,
            @JsonProperty("iterations") List<Iteration> iterations,
            @JsonProperty("continued_sft") Sft continuedSft,
            @JsonProperty("seconds") double seconds) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options o;
    private final Path workDir;
    private final Clock clock;
    private PrintStream log = new PrintStream(PrintStream.nullOutputStream());
    private SampleScorer scorer;

    public AlignmentLoop(Options options, Path workDir, Clock clock) {
        this.o = options;
        this.workDir = workDir;
        this.clock = clock;
    }

    public AlignmentLoop log(PrintStream out) {
        this.log = out;
        return this;
    }

    /** The rater of ranked pairs (needed unless the pairing is {@link PreferenceDataset.Pairing#GOLDEN}). */
    public AlignmentLoop scorer(SampleScorer scorer) {
        this.scorer = scorer;
        return this;
    }

    public Path modelsDir() {
        return workDir.resolve("models");
    }

    public Report run(Path baseArchive, List<Utterance> train, List<Utterance> test, ModelEvaluator evaluator) throws IOException {
        long t0 = System.nanoTime();
        for (Utterance u : test) {
            if (u.split() != Split.TEST) throw new IllegalArgumentException("evaluation utterance " + u.utteranceId() + " is not in the test split");
        }
        Files.createDirectories(modelsDir());
        String baseSha;
        Map<String, Double> baseEval;
        try (CodecLm base = CodecLm.load(baseArchive)) {
            baseSha = base.sha256();
            log.printf("align: base %s, %d train / %d test utterances%n", baseSha, train.size(), test.size());
            baseEval = evaluator.evaluate("base", base);
            log.printf("align: base %s%n", baseEval);
        }
        List<Iteration> iterations = new ArrayList<>();
        List<List<Map<String, Float>>> histories = new ArrayList<>();
        Path previous = baseArchive;
        String previousSha = baseSha;
        for (int k = 1; k <= o.iterations(); k++) {
            Iteration it = iteration(k, previous, previousSha, train, evaluator, histories);
            iterations.add(it);
            previous = Path.of(it.archive());
            previousSha = it.archiveSha256();
        }
        Sft sft = null;
        if (o.sftAblation()) {
            sft = continuedSft(baseArchive, baseSha, train, evaluator);
        }
        Report r = new Report(baseSha, train.size(), test.size(), o.dpo(), o.pairs().samplesPerUtterance(), o.pairs().sampling().temperature(),
                o.pairs().pairing().name().toLowerCase(java.util.Locale.ROOT), baseEval, iterations, sft, (System.nanoTime() - t0) / 1e9);
        Files.write(workDir.resolve("report.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r));
        return r;
    }

    private Iteration iteration(int k, Path previous, String previousSha, List<Utterance> train, ModelEvaluator evaluator,
            List<List<Map<String, Float>>> histories) throws IOException {
        Path dir = workDir.resolve("iter" + k);
        Files.createDirectories(dir);
        DpoConfig dpo = o.dpo().withSeed(o.dpo().seed() + k);
        PreferenceDataset.Options po = new PreferenceDataset.Options(o.pairs().samplesPerUtterance(), o.pairs().sampling(),
                o.pairs().seed() + k, o.pairs().generationBatch(), o.pairs().pairing());
        try (CodecLm policy = CodecLm.load(previous, previousSha)) {
            String start = policy.sha256();
            PreferenceDataset.Result pairs = PreferenceDataset.build(policy, start, train, po, clock.instant(), scorer);
            writePairs(dir.resolve("pairs.jsonl"), pairs.pairs());
            log.printf("align: iter%d: %d pairs from %s (%.1f s)%s%n", k, pairs.pairs().size(), start.substring(0, 12), pairs.seconds(),
                    Double.isNaN(pairs.sampleErrorRate()) ? "" : String.format(java.util.Locale.ROOT, "; its samples' WER %.1f %%, %d utterances tied",
                            100 * pairs.sampleErrorRate(), pairs.droppedTied()));
            PairSequences seqs = new PairSequences(policy.config(), pairs.pairs());
            ReferenceLogProbs ref;
            try (CodecLm reference = CodecLm.load(previous, previousSha)) {
                ref = DpoTrainer.reference(reference, seqs, o.referenceBatch());
            }
            Path metrics = dir.resolve("dpo-metrics.jsonl");
            Files.deleteIfExists(metrics);
            DpoTrainer.Result r = new DpoTrainer(dpo).onStep((s, m) -> appendMetrics(metrics, s, m)).train(policy, seqs, ref);
            log.printf("align: iter%d: %d steps in %.1f s, last %s%n", k, dpo.steps(), r.seconds(), r.last());
            histories.add(r.history());
            MetricsPlot.write(workDir.resolve("dpo-metrics.svg"), histories, List.of(List.of(DpoLoss.LOSS),
                    List.of(DpoLoss.REWARDS_CHOSEN, DpoLoss.REWARDS_REJECTED, DpoLoss.REWARDS_MARGINS), List.of(DpoLoss.REWARDS_ACCURACIES),
                    List.of(DpoLoss.LOGPS_CHOSEN, DpoLoss.LOGPS_REJECTED), List.of(DpoLoss.GRAD_NORM)));
            policy.metadata().put("dpo_iteration", k);
            policy.metadata().put("parent_sha256", start);
            policy.metadata().put("reference_sha256", ref.referenceSha256());
            policy.metadata().put("dpo_config", JSON.convertValue(dpo, Map.class));
            policy.metadata().put("dpo_pairs", pairs.pairs().size());
            Path archive = policy.save(modelsDir());
            Map<String, Double> eval = evaluator.evaluate("iter" + k, policy);
            log.printf("align: iter%d: %s -> %s%n", k, archive.getFileName(), eval);
            return new Iteration(k, start, ref.referenceSha256(), policy.sha256(), archive.toString(), pairs.pairs().size(),
                    pairs.droppedIdentical(), pairs.droppedTied(), Double.isNaN(pairs.sampleErrorRate()) ? null : pairs.sampleErrorRate(),
                    pairs.seconds(), ref.seconds(), r.seconds(), r.tokens() / Math.max(1e-9, r.seconds()),
                    r.last(), eval);
        }
    }

    private Sft continuedSft(Path baseArchive, String baseSha, List<Utterance> train, ModelEvaluator evaluator) throws IOException {
        int steps = o.iterations() * o.dpo().steps();
        DpoConfig c = o.dpo().withTraining(o.dpo().learningRate(), o.dpo().batchSize(), steps, o.dpo().clip());
        Path dir = workDir.resolve("sft");
        Files.createDirectories(dir);
        Path metrics = dir.resolve("sft-metrics.jsonl");
        Files.deleteIfExists(metrics);
        try (CodecLm model = CodecLm.load(baseArchive, baseSha)) {
            DpoTrainer.Result r = ContinuedSft.train(model, train, c, o.sftObjective(), (s, m) -> appendMetrics(metrics, s, m));
            model.metadata().put("continued_sft_steps", steps);
            model.metadata().put("parent_sha256", baseSha);
            model.save(modelsDir());
            Map<String, Double> eval = evaluator.evaluate("continued_sft", model);
            log.printf("align: continued SFT (%s objective) %d steps (%.1f s) -> %s%n", o.sftObjective(), steps, r.seconds(), eval);
            return new Sft(model.sha256(), steps, o.sftObjective().name().toLowerCase(java.util.Locale.ROOT), r.seconds(), r.last(), eval);
        }
    }

    private static void writePairs(Path file, List<PreferencePair> pairs) throws IOException {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules()
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        StringBuilder sb = new StringBuilder();
        for (PreferencePair p : pairs) sb.append(json.writeValueAsString(p)).append('\n');
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    private static void appendMetrics(Path file, int step, Map<String, Float> m) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(m);
        try {
            Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
