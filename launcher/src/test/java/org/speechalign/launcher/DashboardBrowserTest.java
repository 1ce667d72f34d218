package org.speechalign.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.corpus.Utterance;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.feedback.FeedbackService;
import org.speechalign.lm.CodecLm;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.golden.HandWrittenBatch;
import org.speechalign.loop.golden.TinySetup;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.migrations.Migrations;
import org.speechalign.synth.SelfPlay;
import org.speechalign.synth.SynthService;
import org.speechalign.trainer.TrainerService;

/**
 * The dashboard in headless Chromium (Debian's chromium driven by playwright-core, see
 * {@code src/test/browser/}) against the real services on a real broker and PostgreSQL, after a
 * small real run: self-play syntheses on synth-service, ratings through feedback-service's HTTP
 * API (landed by its Kafka sink), golden-vs-synthetic pairs and a training batch as pref-builder
 * writes them, DPO + gate + promotion by trainer-worker. Asserts the page loads, every chart
 * renders that data, and clicking "Roll back" with an admin key changes the registry (audited).
 * <p>
 * Needs {@code /usr/bin/chromium} and {@code src/test/browser/node_modules} ({@code ./speechalign
 * test} installs both); without them the test is skipped, unless {@code SPEECHALIGN_REQUIRE_BROWSER=1}
 * (set by {@code ./speechalign test}), where it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    static final Duration DEADLINE = Duration.ofSeconds(240);
    static final Path BROWSER_DIR = Path.of("src/test/browser").toAbsolutePath();
    final String line = "dash-" + UUID.randomUUID().toString().substring(0, 8);
    final HttpClient http = HttpClient.newHttpClient();
    EmbeddedRuntime rt;
    DataSource ds;
    Path dir;
    List<Utterance> corpus;
    ApplicationContext feedback;
    ApplicationContext synth;
    ApplicationContext trainer;
    String ingestKey;
    String adminKey;
    KafkaProducer<String, byte[]> producer;
    ModelRegistry registry;

    @BeforeAll
    void start() throws Exception {
        boolean required = "1".equals(System.getenv("SPEECHALIGN_REQUIRE_BROWSER"));
        boolean present = Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core"));
        if (!present && required) throw new AssertionError("chromium or playwright-core missing: run ./speechalign test (it installs both)");
        Assumptions.assumeTrue(present, "chromium (/usr/bin/chromium) and src/test/browser/node_modules are needed; ./speechalign test installs them");
        rt = SharedTestRuntime.get();
        ds = rt.postgres().dataSource();
        Migrations.migrate(ds);
        registry = new ModelRegistry(ds);
        dir = Files.createTempDirectory("dashboard-test");
        Path base;
        try (CodecLm lm = TinySetup.model(11)) {
            base = lm.save(dir.resolve("base"));
        }
        corpus = TinySetup.corpus(line, 80, 5);
        GoldenRepository golden = new GoldenRepository(ds);
        for (Utterance u : corpus) golden.insert(TinySetup.event(u));
        ApiKeys keys = new ApiKeys(ds);
        ingestKey = keys.create("dash-ingest-" + line, EnumSet.of(ApiKeys.Role.INGEST), null).secret();
        adminKey = keys.create("dash-admin-" + line, EnumSet.of(ApiKeys.Role.ADMIN), null).secret();
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());

        Map<String, Object> common = new HashMap<>();
        common.put("micronaut.server.port", -1);
        common.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
        common.put("database.url", rt.postgres().jdbcUrl());
        common.put("database.user", rt.postgres().user());
        common.put("model.store", dir.resolve("store").toString());
        feedback = FeedbackService.start(common);
        Map<String, Object> s = new HashMap<>(common);
        s.put("synth.model-line", line);
        s.put("synth.base-model", base.toString());
        s.put("synth.max-frames-per-phone", 8);
        s.put("synth.self-play-batch-size", 24);
        synth = SynthService.start(s);
        Map<String, Object> t = new HashMap<>(common);
        t.put("trainer.worker-id", "dash-worker");
        t.put("trainer.model-line", line);
        t.put("trainer.sweep-interval", "500ms");
        t.put("trainer.dpo-steps", 30);
        t.put("trainer.dpo-batch-size", 16);
        t.put("trainer.dpo-learning-rate", 1e-3);
        t.put("trainer.gate-margin", 0.02);
        t.put("trainer.gate-bootstrap", 500);
        t.put("trainer.retention-interval", "0s");
        trainer = TrainerService.start(t);
    }

    @AfterAll
    void stop() {
        for (ApplicationContext c : new ApplicationContext[] {trainer, synth, feedback}) {
            if (c != null && c.isRunning()) c.close();
        }
        if (producer != null) producer.close();
    }

    @Test
    void dashboardShowsASmallRealRunAndRollsBackFromTheBrowser() throws Exception {
        String baseVersion = registry.serving(line).orElseThrow().version();
        // 1. self-play of the base, rated by simulated listeners through the HTTP API
        List<Synthesis> first = selfPlay(48);
        rate(first, Instant.now().minusSeconds(150));
        // 2. pairs + batch (as pref-builder writes them) → DPO → gate → promoted
        String batch = batch(first);
        String promoted = await("batch done", () -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT status, result_version, error FROM training_batches WHERE batch_id = ?")) {
                ps.setString(1, batch);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if ("failed".equals(rs.getString(1))) throw new AssertionError("batch failed: " + rs.getString(3));
                    return "done".equals(rs.getString(1)) ? rs.getString(2) : null;
                }
            }
        });
        await("promoted version serves", () -> promoted.equals(registry.serving(line).map(ModelRegistry.Version::version).orElse(null)));
        await("synth-service swapped", () -> selfPlayVersion().equals(promoted));
        // 3. the new version speaks and is rated too
        List<Synthesis> second = selfPlay(24);
        rate(second, Instant.now());
        await("ratings landed", () -> count("SELECT count(*) FROM ratings WHERE rater_id LIKE ?", line + "-%") == (long) (first.size() + second.size()) * 2);

        // 4. the browser
        Path shot = Path.of("target", "dashboard-browser-test.png").toAbsolutePath();
        JsonNode seen = runBrowser(TrainerService.url(trainer), shot);
        assertFalse(seen.has("error"), () -> "browser script: " + seen + "\nsummary: " + get(TrainerService.url(trainer) + "/dashboard/api/summary"));
        assertEquals(200, seen.path("status").asInt(), seen.toString());
        assertEquals("SpeechAlign dashboard", seen.path("title").asText());
        JsonNode charts = seen.path("charts");
        assertTrue(charts.path("ratings_series").asInt() >= 2, "a ratings line per version: " + charts);
        assertTrue(charts.path("ratings_points").asInt() >= 2, charts.toString());
        assertTrue(charts.path("pairs_bars").asInt() >= 1, charts.toString());
        assertTrue(charts.path("loss_series").asInt() >= 1, charts.toString());
        assertTrue(charts.path("accuracy_series").asInt() >= 1, charts.toString());
        assertTrue(seen.path("loss_path_length").asInt() > 100, "a loss curve of 30 steps: " + seen);
        assertTrue(seen.path("registry_rows").asInt() >= 2, seen.toString());
        assertTrue(seen.path("audio_players").asInt() >= 1, seen.toString());
        assertEquals(List.of(), Json.MAPPER.convertValue(seen.path("console_errors"), List.class), () -> "no errors in the page: " + seen);
        assertEquals(List.of(), Json.MAPPER.convertValue(seen.path("bad_responses"), List.class), () -> "no failed loads: " + seen);
        assertEquals(promoted, seen.path("serving_before").asText());
        assertTrue(seen.path("message_without_key").asText().contains("admin key"), seen.toString());
        assertTrue(seen.path("rollback_ok").asBoolean(), seen.path("rollback_message").asText());
        assertEquals(baseVersion, seen.path("serving_after").asText(), "the page shows the registry after the rollback");
        assertTrue(seen.path("history_first_row").asText().contains("dash-admin-" + line), "the history shows the audited change: " + seen);
        // The registry changed, audited under the admin key's name.
        assertEquals(baseVersion, registry.serving(line).orElseThrow().version());
        List<ModelRegistry.Event> ev = registry.events(promoted);
        ModelRegistry.Event last = ev.get(ev.size() - 1);
        assertEquals("rolled_back", last.action());
        assertEquals("dash-admin-" + line, last.actor());
        assertEquals("rolled back from the dashboard", last.reason());
        assertTrue(Files.size(shot) > 10_000, "screenshot written: " + shot);
        // The audio the page's players load is a WAV decoded from the synthesis' tokens.
        HttpResponse<byte[]> wav = http.send(HttpRequest.newBuilder(URI.create(TrainerService.url(trainer) + "/dashboard/api/syntheses/"
                + second.get(0).synthesisId() + "/audio.wav")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, wav.statusCode());
        assertEquals("RIFF", new String(wav.body(), 0, 4, StandardCharsets.US_ASCII));
    }

    // ------------------------------------------------------------------ the small run

    String selfPlayVersion() throws Exception {
        List<Synthesis> s = synth.getBean(SelfPlay.class).runOnce();
        return s.isEmpty() ? "" : s.get(0).modelVersion();
    }

    /** Self-play syntheses of train-split utterances, landed in the syntheses table as pref-builder does. */
    List<Synthesis> selfPlay(int n) throws Exception {
        List<Synthesis> out = new ArrayList<>();
        SelfPlay sp = synth.getBean(SelfPlay.class);
        while (out.size() < n) out.addAll(sp.runOnce());
        HandWrittenBatch.insertSyntheses(ds, out);
        return out;
    }

    /** Two simulated raters per synthesis, through POST /v1/ratings (one array request). */
    void rate(List<Synthesis> syntheses, Instant at) throws Exception {
        List<Map<String, Object>> ratings = new ArrayList<>();
        int i = 0;
        for (Synthesis s : syntheses) {
            for (int r = 0; r < 2; r++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("rating_id", s.synthesisId() + "-r" + r);
                m.put("synthesis_id", s.synthesisId());
                m.put("rater_id", line + "-rater-" + r);
                m.put("score", 1 + Math.floorMod(s.synthesisId().hashCode() + r, 5));
                m.put("created_at", at.plusSeconds(i++ % 90).toString());
                ratings.add(m);
            }
        }
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(FeedbackService.url(feedback) + "/v1/ratings"))
                .header("Authorization", "Bearer " + ingestKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(ratings))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, resp.statusCode(), resp.body());
    }

    /**
     * golden_vs_synthetic pairs of the syntheses in one training batch, announced on Kafka, written by hand as pref-builder would: the
     * test is about what the dashboard shows of a run, so it controls the batch exactly (the demo shows pref-builder making them).
     */
    String batch(List<Synthesis> syntheses) throws Exception {
        Map<String, Utterance> golden = new HashMap<>();
        for (Utterance u : corpus) golden.put(u.utteranceId(), u);
        return HandWrittenBatch.write(ds, producer, golden, syntheses, false);
    }

    JsonNode runBrowser(String baseUrl, Path screenshot) throws Exception {
        Files.createDirectories(screenshot.getParent());
        Path log = Files.createTempFile("dashboard-node", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", "dashboard.mjs", baseUrl.replaceAll("/$", ""), adminKey, screenshot.toString())
                .directory(BROWSER_DIR.toFile()).redirectError(log.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "node finished");
        String stdout = new String(out, StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), () -> "node exited " + p.exitValue() + ": " + stdout + " / " + readQuietly(log));
        String lastLine = stdout.substring(stdout.lastIndexOf('\n') + 1);
        return Json.MAPPER.readTree(lastLine);
    }

    String get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

    long count(String sql, Object... args) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static <T> T await(String what, Callable<T> probe) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            try {
                T v = probe.call();
                if (v != null && !Boolean.FALSE.equals(v)) return v;
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what, last);
    }
}
