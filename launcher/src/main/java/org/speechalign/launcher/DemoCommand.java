package org.speechalign.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import me.tongfei.progressbar.ProgressBar;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.feedback.FeedbackService;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.migrations.Migrations;
import org.speechalign.prefbuilder.PrefBuilderService;
import org.speechalign.synth.SelfPlay;
import org.speechalign.synth.SynthService;
import org.speechalign.trainer.TrainerService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code speechalign demo}: the whole loop on the embedded Kafka and PostgreSQL — built-in corpus
 * published, base model reused or trained, all four services started, then per iteration: self-play
 * on synth-service (onto {@code speech.synthesis.v1}) → simulated ratings through feedback-service's
 * HTTP API → pref-builder's pairs and training batch → trainer-worker's DPO and gate → synth-service's
 * hot swap, a table row each, and an HTML report under {@code out/}. The demo writes no synthesis,
 * pair or batch row itself: it configures pref-builder so that a batch closes at one iteration's count
 * of self-play pairs and waits, in PostgreSQL, for the batch that holds them.
 * <p>
 * <b>Simulated raters.</b> No person listens. Each simulated rater scores a synthesis from an
 * objective measure against its golden utterance: the phone-duration error
 * {@code d = mean over phones |ln((synth frames + 1) / (golden frames + 1))|}, mapped to
 * {@code 5 − 4·min(1, d / 0.8)}, plus the rater's fixed bias (N(0, 0.3)) and per-rating noise
 * (N(0, 0.6)), rounded and clamped to 1..5. Durations are what the AR model samples and what DPO on
 * golden-vs-synthetic pairs moves, so the simulated score follows the aligned property.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The SpeechAlign loop end to end on the embedded stack, with SIMULATED raters; report under out/.",
                "Reuses SPEECHALIGN_HOME's base model (./speechalign pretrain) or trains it first."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "3", description = "loop iterations (default ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--keep-running", description = "leave the services and the dashboard up after the report (Ctrl-C stops)")
    boolean keepRunning;

    @Option(names = "--syntheses", defaultValue = "64", description = "self-play syntheses per iteration, rounded up to a multiple of "
            + SELF_PLAY_CHUNK + " (default ${DEFAULT-VALUE}); also pref-builder's batch threshold")
    int syntheses;

    @Option(names = "--batch-max-age", defaultValue = "PT10M", description = "pref-builder's batch max age (ISO-8601, default ${DEFAULT-VALUE}): "
            + "a batch short of the threshold still closes once its oldest pair waited this long; longer than an iteration, so that "
            + "pairs waiting for the next iteration's batch are not closed on their own")
    Duration batchMaxAge;

    @Option(names = "--raters", defaultValue = "3", description = "simulated raters per synthesis (default ${DEFAULT-VALUE})")
    int raters;

    @Option(names = "--dpo-steps", defaultValue = "16", description = "DPO steps per batch of 16 pairs (default ${DEFAULT-VALUE}: "
            + "4 passes over 64 pairs; 60 drove the loss to 0 and made golden speech less likely)")
    int dpoSteps;

    @Option(names = "--sft-weight", defaultValue = "1.0", description = "weight of the SFT term on the golden (chosen) side of DPO "
            + "(default ${DEFAULT-VALUE}; 0 = plain DPO)")
    double sftWeight;

    @Option(names = "--gate-held-out", defaultValue = "100", description = "held-out utterances the gate compares on (default ${DEFAULT-VALUE})")
    int gateHeldOut;

    @Option(names = "--eval-utterances", defaultValue = "30", description = "held-out test utterances each model is measured on "
            + "(WER, similarity, MCD, gap classifier; default ${DEFAULT-VALUE})")
    int evalUtterances;

    @Option(names = "--gap-train", defaultValue = "60", description = "train utterances the golden-vs-synthetic classifier learns from "
            + "(default ${DEFAULT-VALUE})")
    int gapTrain;

    @Option(names = "--corpus", defaultValue = "corpus/builtin-v2", description = "golden corpus folder (default ${DEFAULT-VALUE})")
    Path corpusDir;

    @Option(names = "--out", defaultValue = "out", description = "report folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "seed of the simulated raters (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--home", description = "embedded data directory (default: $SPEECHALIGN_HOME or .speechalign)")
    Path home;

    @Option(names = "--feedback-port", description = "feedback-service port (default ${DEFAULT-VALUE})")
    int feedbackPort = FeedbackService.DEFAULT_PORT;

    @Option(names = "--synth-port", description = "synth-service port (default ${DEFAULT-VALUE})")
    int synthPort = SynthService.DEFAULT_PORT;

    @Option(names = "--trainer-port", description = "trainer-worker port, also the dashboard's (default ${DEFAULT-VALUE})")
    int trainerPort = TrainerService.DEFAULT_PORT;

    @Option(names = "--pref-builder-port", description = "pref-builder /health and /prometheus port (default ${DEFAULT-VALUE})")
    int prefBuilderPort = PrefBuilderService.DEFAULT_PORT;

    /** Self-play syntheses per {@link SelfPlay#runOnce()} call. */
    static final int SELF_PLAY_CHUNK = 16;
    /** How long the demo waits for pref-builder to land the corpus in {@code golden_utterances}. */
    static final Duration GOLDEN_DEADLINE = Duration.ofMinutes(5);
    /** How long the demo waits for pref-builder's first pair of an iteration before it gives up. */
    static final Duration FIRST_PAIR_DEADLINE = Duration.ofMinutes(3);
    /** How long the demo waits for trainer-worker to finish a batch (DPO + gate). */
    static final Duration TRAINER_DEADLINE = Duration.ofMinutes(30);

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Row(int iteration, String version, String status, long pairs, String pairsBySource, Double firstLoss, Double lastLoss,
               Double rewardAccuracy, Double gateMean, Double gateLow, Double gateHigh, double meanRating, double durationError,
               Double swapSeconds, double seconds, AudioMeasures.Measures measures) {
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        System.out.println("SpeechAlign demo — the raters in this demo are SIMULATED: scores come from each sample's phone-duration");
        System.out.println("error against its golden speech plus rater noise (README: Demo). No person listened to anything.");
        Path dir = home != null ? home.toAbsolutePath() : EmbeddedRuntime.defaultHome();

        // 1. base model: reuse, or train with the pretrain code
        Path base = baseModel();

        // 2. embedded Kafka + PostgreSQL
        EmbeddedRuntime rt;
        try {
            rt = EmbeddedRuntime.start(dir, ServeCommand.DEFAULT_KAFKA_PORT, ServeCommand.DEFAULT_POSTGRES_PORT);
        } catch (java.io.IOException e) {
            throw new UserFacingException("cannot start the embedded runtime under " + dir + " (is `serve --embedded` running?): " + e.getMessage());
        }
        List<Services.Running> running = List.of();
        boolean stopAtEnd = true;
        try {
            DataSource ds = rt.postgres().dataSource();
            Migrations.migrate(ds);
            java.sql.Timestamp runStart = databaseNow(ds);
            long waiting = unbatchedPairs(ds);
            System.out.println("kafka " + rt.kafka().bootstrapServers() + " · postgres " + rt.postgres().jdbcUrl());

            // 3. the built-in corpus onto speech.golden.v1 (pref-builder lands it in golden_utterances)
            List<Utterance> corpus = CorpusPublishCommand.read(corpusDir);
            Map<String, Utterance> byId = corpus.stream().collect(Collectors.toMap(Utterance::utteranceId, Function.identity()));
            try (ProgressBar pb = new ProgressBar("publish corpus", corpus.size())) {
                CorpusPublishCommand.publish(rt.kafka().bootstrapServers(), corpus, pb::stepTo);
            }
            int chunk = Math.min(SELF_PLAY_CHUNK, Math.max(1, syntheses));
            int perIteration = (Math.max(1, syntheses) + chunk - 1) / chunk * chunk;
            if (perIteration != syntheses) System.out.println("self-play: " + perIteration + " syntheses an iteration (a multiple of " + chunk + ")");

            // 4. keys and services
            ApiKeys keys = new ApiKeys(ds);
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            String adminKey = keys.create("demo-admin-" + stamp, EnumSet.of(ApiKeys.Role.ADMIN), null).secret();
            String ingestKey = keys.create("demo-raters-" + stamp, EnumSet.of(ApiKeys.Role.INGEST), null).secret();
            String synthKey = keys.create("demo-synth-" + stamp, EnumSet.of(ApiKeys.Role.SYNTHESIZE), null).secret();
            String line = "demo-" + stamp;
            Map<String, Object> shared = new HashMap<>();
            shared.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
            shared.put("database.url", rt.postgres().jdbcUrl());
            shared.put("database.user", rt.postgres().user());
            if (rt.postgres().password() != null) shared.put("database.password", rt.postgres().password());
            shared.put("model.store", dir.resolve("models").resolve("store").toString());
            shared.put("synth.model-line", line);
            shared.put("trainer.model-line", line);
            shared.put("synth.base-model", base.toString());
            shared.put("trainer.base-model", base.toString());
            shared.put("synth.self-play-batch-size", chunk);
            shared.put("trainer.dpo-steps", dpoSteps);
            shared.put("trainer.dpo-sft-weight", sftWeight);
            shared.put("trainer.gate-held-out", gateHeldOut);
            shared.put("trainer.sweep-interval", "2s");
            // pref-builder closes a batch as soon as one iteration's count of pairs waits unbatched (the oldest first), or
            // when the oldest waited --batch-max-age (a short batch still closes).
            shared.put(PrefBuilderService.STATE_DIR_PROPERTY, dir.resolve("pref-builder").toString());
            shared.put(PrefBuilderService.BATCH_THRESHOLD_PROPERTY, perIteration);
            shared.put(PrefBuilderService.BATCH_MAX_AGE_PROPERTY, batchMaxAge.toString());
            try {
                running = Services.startAll(shared, Map.of(FeedbackService.NAME, feedbackPort, SynthService.NAME, synthPort,
                        PrefBuilderService.NAME, prefBuilderPort, TrainerService.NAME, trainerPort));
            } catch (RuntimeException e) {
                throw new UserFacingException("a service failed to start (ports " + feedbackPort + "/" + synthPort + "/" + prefBuilderPort
                        + "/" + trainerPort + " free? see --*-port): " + ServeCommand.rootMessage(e));
            }
            Map<String, String> urls = new LinkedHashMap<>();
            for (Services.Running r : running) {
                urls.put(r.service().name(), r.url().replaceAll("/$", ""));
                System.out.println(r.service().name() + " " + r.url());
            }
            String trainerUrl = urls.get(TrainerService.NAME);
            String synthUrl = urls.get(SynthService.NAME);
            String feedbackUrl = urls.get(FeedbackService.NAME);
            String prefBuilderUrl = urls.get(PrefBuilderService.NAME);
            System.out.println("dashboard " + trainerUrl + "/dashboard/  (admin key for its buttons: " + adminKey + ")");
            if (waiting > 0) {
                System.out.println("note: " + waiting + " preference pair" + (waiting == 1 ? "" : "s") + " from earlier runs wait" + (waiting == 1 ? "s" : "") + " unbatched; pref-builder batches the oldest first:"
                        + " they lead iteration 1's batch, or, if " + perIteration + " or more or older than --batch-max-age (" + batchMaxAge
                        + "), make batches of their own at once, which trainer-worker trains on this run's model line before iteration 1");
            }
            awaitGolden(ds, corpus, prefBuilderUrl);
            ModelRegistry registry = new ModelRegistry(ds);
            String baseVersion = registry.serving(line).map(ModelRegistry.Version::version)
                    .orElseThrow(() -> new UserFacingException("the base model was not registered"));
            String startVersion = settleEarlierBatches(ds, registry, line, runStart, perIteration, synthUrl, synthKey);
            SelfPlay selfPlay = running.stream().filter(r -> r.service().name().equals(SynthService.NAME)).findFirst().orElseThrow()
                    .context().getBean(SelfPlay.class);

            // 5. held-out sentences: golden and base audio for the report
            Path report = out.resolve("demo-" + stamp);
            Files.createDirectories(report.resolve("audio"));
            List<Utterance> heldOut = heldOut(corpus);
            Codec2Codec codec = new Codec2Codec();
            for (Utterance u : heldOut) {
                Wav.write(report.resolve("audio").resolve(u.utteranceId() + "-golden.wav"), codec.decode(u.tokens()), codec.sampleRate());
                speak(synthUrl, synthKey, u, report.resolve("audio").resolve(u.utteranceId() + "-base.wav"));
            }

            // 6. the base model's measures, then the loop
            DirectoryModelStore store = new DirectoryModelStore(dir.resolve("models").resolve("store"));
            List<Row> rows = new ArrayList<>();
            AudioMeasures evaluation = new AudioMeasures(codec, corpus, evalUtterances, gapTrain);
            printHeader();
            long tb = System.nanoTime();
            AudioMeasures.Measures baseMeasures = measure(evaluation, base, "base");
            rows.add(new Row(0, baseVersion, "base", 0, "", null, null, null, null, null, null, Double.NaN, Double.NaN, null,
                    (System.nanoTime() - tb) / 1e9, baseMeasures));
            printRow(rows.get(0));
            Map<Integer, List<double[]>> curves = new LinkedHashMap<>();
            Random rng = new Random(seed);
            double[] raterBias = new double[raters];
            for (int r = 0; r < raters; r++) raterBias[r] = rng.nextGaussian() * 0.3;
            java.util.Set<String> seenBatches = new java.util.HashSet<>();
            try (evaluation) {
                String serving = startVersion;
                for (int it = 1; it <= iterations; it++) {
                    long ti = System.nanoTime();
                    // self-play: synth-service publishes every sample on speech.synthesis.v1, where pref-builder pairs it
                    List<Synthesis> batchSyn = new ArrayList<>();
                    try (ProgressBar pb = new ProgressBar("iter " + it + " self-play", perIteration)) {
                        while (batchSyn.size() < perIteration) {
                            batchSyn.addAll(selfPlay.runOnce());
                            pb.stepTo(Math.min(perIteration, batchSyn.size()));
                        }
                    }
                    double[] rating = rate(feedbackUrl, ingestKey, batchSyn, byId, rng, raterBias, stamp, it);
                    String batch = awaitIterationBatch(ds, batchSyn, seenBatches, it, perIteration, ti, prefBuilderUrl);
                    seenBatches.add(batch);
                    Map<String, Object> b = awaitBatch(ds, batch, "iter " + it + " DPO+gate");
                    String version = (String) b.get("result_version");
                    ModelRegistry.Version v = registry.get(version).orElseThrow();
                    Double swap = null;
                    if (v.status() == org.speechalign.contracts.ModelVersion.Status.PROMOTED) {
                        long ts = System.nanoTime();
                        awaitServing(synthUrl, synthKey, version);
                        swap = (System.nanoTime() - ts) / 1e9;
                        serving = version;
                    }
                    curves.put(it, curve(ds, batch));
                    AudioMeasures.Measures measures = measure(evaluation, store.fetch(v.artifactUri(), v.artifactSha256()), "iter " + it);
                    Map<String, Double> m = v.metrics();
                    Row row = new Row(it, version, v.status().name().toLowerCase(Locale.ROOT), (long) b.get("pairs"), (String) b.get("by_source"),
                            (Double) b.get("first_loss"), (Double) b.get("last_loss"), (Double) b.get("accuracy"),
                            m.get("gate_delta_mean"), m.get("gate_delta_ci_low"), m.get("gate_delta_ci_high"), rating[0], rating[1], swap,
                            (System.nanoTime() - ti) / 1e9, measures);
                    rows.add(row);
                    printRow(row);
                }
                // 7. final model on the held-out sentences
                for (Utterance u : heldOut) speak(synthUrl, synthKey, u, report.resolve("audio").resolve(u.utteranceId() + "-final.wav"));
                double total = (System.nanoTime() - t0) / 1e9;
                long left = unbatchedPairs(ds);
                if (left > 0) {
                    System.out.println(left + " preference pair" + (left == 1 ? " waits" : "s wait") + " for pref-builder's next batch (threshold "
                            + perIteration + ")");
                }
                Path html = DemoReport.write(report, rows, curves, heldOut, baseVersion, serving, total, raters, perIteration);
                System.out.printf("report %s (%.0f s in all)%n", html.toAbsolutePath(), total);
            }
            if (keepRunning) {
                stopAtEnd = false;
                System.out.println("services and dashboard stay up: " + trainerUrl + "/dashboard/  admin key " + adminKey + "  — Ctrl-C stops.");
                CountDownLatch stopped = new CountDownLatch(1);
                List<Services.Running> toStop = running;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    Services.stopAll(toStop);
                    rt.close();
                    stopped.countDown();
                }, "speechalign-demo-stop"));
                stopped.await();
            }
            return 0;
        } finally {
            if (stopAtEnd) {
                Services.stopAll(running);
                rt.close();
            }
        }
    }

    Path baseModel() throws Exception {
        Path ref = ModelHome.models().resolve("base.ref");
        if (!Files.exists(ref)) {
            System.out.println("no base model under " + ModelHome.models() + ": training it with ./speechalign pretrain (resumable) ...");
            int exit = new CommandLine(new PretrainCommand()).execute();
            if (exit != 0 || !Files.exists(ref)) throw new UserFacingException("pretraining the base model failed (exit " + exit + ")");
        } else {
            System.out.println("base model: reusing " + ModelHome.resolve("base") + " (" + ref + ")");
        }
        return ModelHome.resolve("base").toAbsolutePath();
    }

    /** Waits until pref-builder has landed the published corpus in {@code golden_utterances} (self-play and the gate read it there). */
    static void awaitGolden(DataSource ds, List<Utterance> corpus, String prefBuilderUrl) throws Exception {
        String version = corpus.get(0).corpusVersion();
        long end = System.nanoTime() + GOLDEN_DEADLINE.toNanos();
        long have = 0;
        try (ProgressBar pb = new ProgressBar("golden_utterances", corpus.size())) {
            while (true) {
                try (Connection c = ds.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM golden_utterances WHERE corpus_version = ?")) {
                    ps.setString(1, version);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        have = rs.getLong(1);
                    }
                }
                pb.stepTo(Math.min(have, corpus.size()));
                if (have >= corpus.size()) return;
                if (System.nanoTime() > end) break;
                Thread.sleep(250);
            }
        }
        throw new UserFacingException("pref-builder landed " + have + " of the corpus's " + corpus.size() + " golden utterances (corpus_version "
                + version + ") in golden_utterances within " + GOLDEN_DEADLINE.toSeconds() + " s; is it healthy? (" + prefBuilderUrl + "/health)");
    }

    /** Preference pairs no training batch holds yet. */
    static long unbatchedPairs(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM preference_pairs WHERE batch_id IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {unbatched pairs, those of them older than --batch-max-age}. */
    long[] unbatchedAndStale(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*), "
                + "count(*) FILTER (WHERE inserted_at < now() - make_interval(secs => ?)) FROM preference_pairs WHERE batch_id IS NULL")) {
            ps.setDouble(1, batchMaxAge.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    static java.sql.Timestamp databaseNow(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT now()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    /**
     * Batches that are not this run's iterations' — made at start from pairs earlier runs left (see the note above), or left
     * unfinished by an earlier run — are trained first by trainer-worker, on this run's model line: waits for them, says what
     * became of each, and returns the version serving afterwards (the base unless one was promoted), which iteration 1 starts from.
     */
    String settleEarlierBatches(DataSource ds, ModelRegistry registry, String line, java.sql.Timestamp runStart, int threshold, String synthUrl,
                                String synthKey) throws Exception {
        // first let pref-builder close what is already due: pairs that waited longer than the max age, or a threshold's worth
        long end = System.nanoTime() + FIRST_PAIR_DEADLINE.toNanos();
        long[] due;
        while ((due = unbatchedAndStale(ds))[1] > 0 || due[0] >= threshold) {
            if (System.nanoTime() > end) {
                throw new UserFacingException("pref-builder did not batch the " + due[0] + " pairs earlier runs left (" + due[1] + " older than "
                        + batchMaxAge + ") within " + FIRST_PAIR_DEADLINE.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
        List<String> batches = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT batch_id FROM training_batches "
                + "WHERE created_at >= ? OR status IN ('pending', 'claimed') ORDER BY created_at, batch_id")) {
            ps.setTimestamp(1, runStart);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) batches.add(rs.getString(1));
            }
        }
        for (String batch : batches) {
            Map<String, Object> b;
            try {
                b = awaitBatch(ds, batch, "earlier pairs DPO+gate");
            } catch (UserFacingException e) {
                System.out.println("a batch of pairs left by earlier runs did not train: " + e.getMessage());
                continue;
            }
            String version = (String) b.get("result_version");
            String status = version == null ? "no candidate" : registry.get(version).map(v -> v.status().name().toLowerCase(Locale.ROOT)).orElse("?");
            System.out.println("pref-builder batched " + b.get("pairs") + " pairs left by earlier runs (" + b.get("by_source") + ") as " + batch
                    + "; trainer-worker's candidate " + version + ": " + status);
        }
        String serving = registry.serving(line).map(ModelRegistry.Version::version)
                .orElseThrow(() -> new UserFacingException("model line " + line + " serves no version"));
        if (!batches.isEmpty()) {
            awaitServing(synthUrl, synthKey, serving);
            System.out.println("iteration 1 starts from " + serving);
        }
        return serving;
    }

    /**
     * Waits until pref-builder has paired this iteration's self-play syntheses and closed a training batch that holds them; returns
     * the new batch (not one of {@code seen}) holding most of them. The batch closes at the threshold (one iteration's count of pairs,
     * the oldest unbatched first: pairs made from the previous iteration's ratings lead it) or, short, after the max age.
     */
    String awaitIterationBatch(DataSource ds, List<Synthesis> syntheses, java.util.Set<String> seen, int it, int expected, long startedNanos,
                               String prefBuilderUrl) throws Exception {
        String[] ids = syntheses.stream().map(Synthesis::synthesisId).toArray(String[]::new);
        long firstPairBy = System.nanoTime() + FIRST_PAIR_DEADLINE.toNanos();
        Duration limit = batchMaxAge.plus(FIRST_PAIR_DEADLINE);
        long end = startedNanos + limit.toNanos();
        long landed = 0;
        long unbatched = 0;
        String found = null;
        try (ProgressBar pb = new ProgressBar("iter " + it + " pairs → batch", expected)) {
            while (true) {
                Map<String, Long> byBatch = new LinkedHashMap<>();
                try (Connection c = ds.getConnection()) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM preference_pairs "
                            + "WHERE source = 'golden_vs_synthetic' AND rejected_synthesis_id = ANY(?)")) {
                        ps.setArray(1, c.createArrayOf("text", ids));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            landed = rs.getLong(1);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("SELECT batch_id, count(*) FROM preference_pairs "
                            + "WHERE batch_id IS NOT NULL AND (rejected_synthesis_id = ANY(?) OR chosen_synthesis_id = ANY(?)) "
                            + "GROUP BY batch_id ORDER BY count(*) DESC, batch_id")) {
                        ps.setArray(1, c.createArrayOf("text", ids));
                        ps.setArray(2, c.createArrayOf("text", ids));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) byBatch.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
                pb.stepTo(Math.min(expected, landed));
                for (String batch : byBatch.keySet()) {
                    if (!seen.contains(batch)) {
                        found = batch;
                        break;
                    }
                }
                if (found != null) break;
                long now = System.nanoTime();
                if (now > end || (landed == 0 && now > firstPairBy)) {
                    unbatched = unbatchedPairs(ds);
                    break;
                }
                Thread.sleep(250);
            }
        }
        if (found != null) {
            long own;
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM preference_pairs "
                    + "WHERE batch_id = ? AND source = 'golden_vs_synthetic' AND rejected_synthesis_id = ANY(?)")) {
                ps.setString(1, found);
                ps.setArray(2, c.createArrayOf("text", ids));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    own = rs.getLong(1);
                }
            }
            if (own < syntheses.size()) {
                System.out.println("iter " + it + ": pref-builder's batch holds " + own + " of this iteration's " + syntheses.size()
                        + " self-play pairs, after older pairs (it batches the oldest first); the rest wait for the next batch");
            }
            return found;
        }
        throw new UserFacingException("no training batch from pref-builder holding iteration " + it + "'s self-play pairs "
                + (landed == 0 ? "after " + FIRST_PAIR_DEADLINE.toSeconds() + " s of waiting" : limit.toSeconds() + " s after the iteration began")
                + ": " + landed + " of its " + syntheses.size()
                + " golden_vs_synthetic pairs reached preference_pairs, " + unbatched + " pairs wait unbatched (batch threshold " + expected
                + ", max age " + batchMaxAge + "); is pref-builder healthy? (" + prefBuilderUrl + "/health)");
    }

    static List<Utterance> heldOut(List<Utterance> corpus) {
        List<Utterance> out = new ArrayList<>();
        java.util.Set<String> speakers = new java.util.HashSet<>();
        for (Utterance u : corpus) {
            if (u.split() == Split.TEST && speakers.add(u.speaker())) out.add(u);
            if (out.size() == 3) break;
        }
        return out;
    }

    /** The serving model speaks a held-out sentence through the HTTP API (its own phones from flite's front end). */
    void speak(String synthUrl, String key, Utterance u, Path wav) throws Exception {
        String body = Json.writeString(Map.of("text", u.text(), "speaker", u.speaker(), "samples", 1, "seed", 1));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(synthUrl + "/v1/synthesize")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new UserFacingException("synthesize " + u.utteranceId() + ": " + r.statusCode() + " " + r.body());
        String audio = Json.MAPPER.readTree(r.body()).path("syntheses").get(0).path("audio_url").asText();
        HttpResponse<Path> a = http.send(HttpRequest.newBuilder(URI.create(synthUrl + audio)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofFile(wav));
        if (a.statusCode() != 200) throw new UserFacingException("audio " + audio + ": " + a.statusCode());
    }

    /** Phone-duration error of a synthesis against its golden utterance (see the class comment). */
    static double durationError(Synthesis s, Utterance golden) {
        List<PhoneFrames> sp = s.phones();
        int n = Math.min(sp.size(), golden.phones().size());
        if (n == 0) return 1.0;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.abs(Math.log((sp.get(i).frames() + 1.0) / (golden.phones().get(i).frames() + 1.0)));
        return sum / n;
    }

    /** Simulated ratings through feedback-service's HTTP API; returns {mean score, mean duration error}. */
    double[] rate(String feedbackUrl, String key, List<Synthesis> list, Map<String, Utterance> golden, Random rng, double[] bias, String stamp, int it)
            throws Exception {
        List<Map<String, Object>> ratings = new ArrayList<>();
        double sumScore = 0;
        double sumErr = 0;
        for (Synthesis s : list) {
            double d = durationError(s, golden.get(s.utteranceId()));
            sumErr += d;
            for (int r = 0; r < bias.length; r++) {
                double raw = 5 - 4 * Math.min(1.0, d / 0.8) + bias[r] + rng.nextGaussian() * 0.6;
                int score = (int) Math.max(1, Math.min(5, Math.round(raw)));
                sumScore += score;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("rating_id", s.synthesisId() + "-sim" + r);
                m.put("synthesis_id", s.synthesisId());
                m.put("rater_id", "simulated-" + stamp + "-" + r);
                m.put("score", score);
                ratings.add(m);
            }
        }
        for (int i = 0; i < ratings.size(); i += 1000) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(feedbackUrl + "/v1/ratings"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(ratings.subList(i, Math.min(ratings.size(), i + 1000))))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 202) throw new UserFacingException("ratings: " + resp.statusCode() + " " + resp.body());
        }
        return new double[] {sumScore / ratings.size(), sumErr / list.size()};
    }

    Map<String, Object> awaitBatch(DataSource ds, String batch, String task) throws Exception {
        long end = System.nanoTime() + TRAINER_DEADLINE.toNanos();
        String status = null;
        try (ProgressBar pb = new ProgressBar(task, dpoSteps)) {
            while (System.nanoTime() < end) {
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "SELECT v.status, v.result_version, b.error, v.steps, v.first_loss, v.last_loss, v.last_reward_accuracy, v.pair_count "
                                + "FROM training_metrics_per_batch v JOIN training_batches b USING (batch_id) WHERE v.batch_id = ?")) {
                    ps.setString(1, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            status = rs.getString(1);
                            pb.stepTo(Math.min(dpoSteps, rs.getLong(4)));
                            if ("failed".equals(rs.getString(1))) throw new UserFacingException("batch " + batch + " failed: " + rs.getString(3));
                            if ("done".equals(rs.getString(1))) {
                                Map<String, Object> m = new HashMap<>();
                                m.put("result_version", rs.getString(2));
                                m.put("first_loss", (Double) rs.getObject(5));
                                m.put("last_loss", (Double) rs.getObject(6));
                                m.put("accuracy", (Double) rs.getObject(7));
                                m.put("pairs", (long) rs.getInt(8));
                                m.put("by_source", bySource(c, batch));
                                return m;
                            }
                        }
                    }
                }
                Thread.sleep(500);
            }
        }
        throw new UserFacingException("trainer-worker did not finish training batch " + batch + " (DPO + gate) within "
                + TRAINER_DEADLINE.toMinutes() + " min; its status: " + (status == null ? "not in training_metrics_per_batch" : status));
    }

    static String bySource(Connection c, String batch) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT source, count(*) FROM preference_pairs WHERE batch_id = ? GROUP BY source ORDER BY source")) {
            ps.setString(1, batch);
            StringBuilder sb = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) sb.append(sb.length() == 0 ? "" : ", ").append(rs.getString(1)).append(' ').append(rs.getLong(2));
            }
            return sb.toString();
        }
    }

    static List<double[]> curve(DataSource ds, String batch) throws Exception {
        List<double[]> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT step, loss, coalesce(reward_accuracy, 0) FROM training_metrics WHERE batch_id = ? "
                        + "AND attempt = (SELECT max(attempt) FROM training_metrics WHERE batch_id = ?) ORDER BY step")) {
            ps.setString(1, batch);
            ps.setString(2, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new double[] {rs.getInt(1), rs.getDouble(2), rs.getDouble(3)});
            }
        }
        return out;
    }

    void awaitServing(String synthUrl, String key, String version) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(synthUrl + "/v1/models")).header("Authorization", "Bearer " + key).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode n = Json.MAPPER.readTree(r.body());
            if (version.equals(n.path("serving").path("version").asText(null))) return;
            Thread.sleep(100);
        }
        throw new UserFacingException("synth-service did not swap to " + version + " within 120 s");
    }

    /** Measures one model with a progress bar over its held-out utterances. */
    static AudioMeasures.Measures measure(AudioMeasures evaluation, Path archive, String what) {
        try (ProgressBar pb = new ProgressBar(what + " eval", evaluation.heldOutUtterances())) {
            return evaluation.measure(archive, what, r -> pb.step());
        }
    }

    static void printHeader() {
        System.out.println();
        System.out.printf("%-4s %-34s %-9s %-40s %-15s %-6s %-30s %-7s %-7s %-6s %s%n", "iter", "version", "gate", "pairs by source",
                "DPO loss", "acc", "gate Δ NLL/token [95% CI]", "rating", "dur.err", "swap s",
                "WER [95% CI] / speaker sim. / MCD dB / gap classifier acc.");
    }

    static void printRow(Row r) {
        System.out.printf(Locale.ROOT, "%-4d %-34s %-9s %-40s %-15s %-6s %-30s %-7s %-7s %-6s %s%n", r.iteration(), r.version(), r.status(),
                r.pairsBySource(), f(r.firstLoss()) + "→" + f(r.lastLoss()), f(r.rewardAccuracy()),
                f(r.gateMean()) + " [" + f(r.gateLow()) + ", " + f(r.gateHigh()) + "]", f(r.meanRating(), 2), f(r.durationError(), 3),
                r.swapSeconds() == null ? "—" : String.format(Locale.ROOT, "%.2f", r.swapSeconds()), measures(r.measures()));
    }

    static String measures(AudioMeasures.Measures m) {
        var w = m.report().wer();
        return String.format(Locale.ROOT, "%.1f %% [%.1f, %.1f] / %.3f / %.2f / %.1f %%", 100 * w.value(), 100 * w.low(), 100 * w.high(),
                m.report().similarity().value(), m.report().mcdDb().value(), 100 * m.gap().heldOut().accuracy());
    }

    static String f(Double d) {
        return f(d, 3);
    }

    static String f(Double d, int decimals) {
        return d == null || d.isNaN() ? "—" : String.format(Locale.ROOT, "%." + decimals + "f", d);
    }
}
