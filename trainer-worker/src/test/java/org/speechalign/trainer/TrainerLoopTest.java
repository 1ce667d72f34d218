package org.speechalign.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Utterance;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.lm.CodecLm;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.golden.HandWrittenBatch;
import org.speechalign.loop.golden.TinySetup;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.migrations.Migrations;
import org.speechalign.synth.SelfPlay;
import org.speechalign.synth.SynthService;

/**
 * The loop end to end on a real broker and PostgreSQL with a tiny untrained model: self-play →
 * preference pairs → training batch → DPO → gate → new version served by every synth-service
 * instance; a worse candidate rejected; rollback on every instance, audited; a trainer killed
 * (SIGKILL, own JVM) mid-batch has its batch finished by another worker exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerLoopTest {

    static final Duration DEADLINE = Duration.ofSeconds(180);
    final String line = "loop-" + UUID.randomUUID().toString().substring(0, 8);
    EmbeddedRuntime rt;
    DataSource ds;
    Path dir;
    Path baseArchive;
    String storeDir;
    List<Utterance> corpus;
    ApplicationContext synthA;
    ApplicationContext synthB;
    ApplicationContext trainer;
    String synthKey;
    String adminKey;
    KafkaProducer<String, byte[]> producer;
    ModelRegistry registry;
    final HttpClient http = HttpClient.newHttpClient();
    String baseVersion;
    String promotedVersion;

    @BeforeAll
    void start() throws Exception {
        rt = SharedTestRuntime.get();
        ds = rt.postgres().dataSource();
        Migrations.migrate(ds);
        registry = new ModelRegistry(ds);
        dir = Files.createTempDirectory("trainer-test");
        storeDir = dir.resolve("store").toString();
        try (CodecLm lm = TinySetup.model(11)) {
            baseArchive = lm.save(dir.resolve("base"));
        }
        corpus = TinySetup.corpus(line, 80, 5);
        GoldenRepository golden = new GoldenRepository(ds);
        for (Utterance u : corpus) golden.insert(TinySetup.event(u));
        ApiKeys keys = new ApiKeys(ds);
        synthKey = keys.create("loop-synth-" + line, EnumSet.of(ApiKeys.Role.SYNTHESIZE), null).secret();
        adminKey = keys.create("loop-admin-" + line, EnumSet.of(ApiKeys.Role.ADMIN), null).secret();
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
        synthA = SynthService.start(synthProps());
        synthB = SynthService.start(synthProps());
        trainer = TrainerService.start(trainerProps("worker-a", 30));
        baseVersion = registry.serving(line).orElseThrow().version();
    }

    @AfterAll
    void stop() {
        for (ApplicationContext c : new ApplicationContext[] {trainer, synthA, synthB}) {
            if (c != null && c.isRunning()) c.close();
        }
        if (producer != null) producer.close();
    }

    Map<String, Object> common() {
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.port", -1);
        p.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
        p.put("database.url", rt.postgres().jdbcUrl());
        p.put("database.user", rt.postgres().user());
        p.put("model.store", storeDir);
        return p;
    }

    Map<String, Object> synthProps() {
        Map<String, Object> p = common();
        p.put("synth.model-line", line);
        p.put("synth.base-model", baseArchive.toString());
        p.put("synth.max-frames-per-phone", 8);
        p.put("synth.self-play-batch-size", 24);
        p.put("synth.self-play-temperature", 1.0);
        return p;
    }

    Map<String, Object> trainerProps(String worker, int steps) {
        Map<String, Object> p = common();
        p.put("trainer.worker-id", worker);
        p.put("trainer.model-line", line);
        p.put("trainer.lease", "3s");
        p.put("trainer.sweep-interval", "500ms");
        p.put("trainer.dpo-steps", steps);
        p.put("trainer.dpo-batch-size", 16);
        p.put("trainer.dpo-learning-rate", 1e-3);
        p.put("trainer.dpo-beta", 0.1);
        p.put("trainer.gate-margin", 0.02);
        p.put("trainer.gate-min-held-out", 5);
        p.put("trainer.gate-bootstrap", 500);
        p.put("trainer.retention-interval", "0s");
        return p;
    }

    // ------------------------------------------------------------------ helpers

    static <T> T await(String what, Callable<T> probe) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            try {
                T v = probe.call();
                if (v != null && !Boolean.FALSE.equals(v)) return v;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what, last);
    }

    String serving(ApplicationContext synth) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(SynthService.url(synth) + "/v1/models"))
                .header("Authorization", "Bearer " + synthKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body()).path("serving").path("version").asText(null);
    }

    JsonNode synthesize(ApplicationContext synth) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(SynthService.url(synth) + "/v1/synthesize"))
                .header("Authorization", "Bearer " + synthKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"the loop closes\",\"speaker\":\"slt\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    HttpResponse<String> admin(String key, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(TrainerService.url(trainer) + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Self-play on synth A, then a batch of its pairs written by hand as pref-builder would write it (reversed: the synthetic side
     * chosen, which pref-builder never does); returns the batch id. This test stays independent of pref-builder: it checks the
     * trainer against a batch it controls exactly, the bad one included.
     */
    String batchFromSelfPlay(boolean reversed) throws Exception {
        List<Synthesis> syntheses = new ArrayList<>();
        SelfPlay sp = synthA.getBean(SelfPlay.class);
        while (syntheses.size() < 48) syntheses.addAll(sp.runOnce());
        Map<String, Utterance> golden = new HashMap<>();
        for (Utterance u : corpus) golden.put(u.utteranceId(), u);
        for (Synthesis s : syntheses) {
            assertEquals(org.speechalign.corpus.Split.TRAIN, golden.get(s.utteranceId()).split(), "self-play never speaks held-out utterances");
        }
        return HandWrittenBatch.write(ds, producer, golden, syntheses, reversed);
    }

    Map<String, Object> batchRow(String batch) throws Exception {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, attempts, result_version, claimed_by, error FROM training_batches WHERE batch_id = ?")) {
            ps.setString(1, batch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Object> m = new HashMap<>();
                m.put("status", rs.getString(1));
                m.put("attempts", rs.getInt(2));
                m.put("result_version", rs.getString(3));
                m.put("claimed_by", rs.getString(4));
                m.put("error", rs.getString(5));
                return m;
            }
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

    String awaitDone(String batch) throws Exception {
        return await("batch " + batch + " done", () -> {
            Map<String, Object> row = batchRow(batch);
            if ("failed".equals(row.get("status"))) throw new AssertionError("batch failed: " + row.get("error"));
            return "done".equals(row.get("status")) ? (String) row.get("result_version") : null;
        });
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(0)
    void servesItsOpenApiDocumentWithoutKey() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(TrainerService.url(trainer) + "/openapi.yml")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"), r.headers().toString());
        assertTrue(r.body().contains("title: trainer-worker") && r.body().contains("/v1/models/rollback"), r.body());
    }

    @Test
    @Order(1)
    void pairsToBatchToDpoToGateToEveryInstance() throws Exception {
        assertEquals(baseVersion, serving(synthA));
        assertEquals(baseVersion, serving(synthB));
        String batch = batchFromSelfPlay(false);
        String version = awaitDone(batch);
        ModelRegistry.Version v = registry.get(version).orElseThrow();
        assertEquals(batch, v.batchId());
        assertEquals(baseVersion, v.parentVersion());
        assertEquals(org.speechalign.contracts.ModelVersion.Status.PROMOTED, v.status(), "gate: " + v.metrics());
        assertTrue(v.metrics().get("gate_delta_ci_high") <= 0.02, v.metrics().toString());
        await("synth A serves " + version, () -> version.equals(serving(synthA)));
        await("synth B serves " + version, () -> version.equals(serving(synthB)));
        assertEquals(version, synthesize(synthA).path("model_version").asText());
        assertEquals(30, count("SELECT count(*) FROM training_metrics WHERE batch_id = ?", batch));
        assertEquals(30, count("SELECT count(*) FROM training_metrics WHERE batch_id = ? AND extra ?? 'rewards/margins' "
                + "AND extra ?? 'rewards/accuracies' AND extra ?? 'logps/chosen' AND extra ?? 'grad_norm'", batch));
        promotedVersion = version;
    }

    @Test
    @Order(2)
    void worseCandidateIsRejected() throws Exception {
        assertNotNull(promotedVersion);
        String batch = batchFromSelfPlay(true);
        String version = awaitDone(batch);
        ModelRegistry.Version v = registry.get(version).orElseThrow();
        assertEquals(org.speechalign.contracts.ModelVersion.Status.REJECTED, v.status(), v.metrics().toString());
        assertTrue(v.metrics().get("gate_delta_ci_high") > 0.02, v.metrics().toString());
        List<ModelRegistry.Event> ev = registry.events(version);
        assertEquals("rejected", ev.get(ev.size() - 1).action());
        assertTrue(ev.get(ev.size() - 1).reason().startsWith("worse"), ev.get(ev.size() - 1).reason());
        assertEquals(promotedVersion, registry.serving(line).orElseThrow().version());
        // the candidate event was published; neither instance moved
        Thread.sleep(300);
        assertEquals(promotedVersion, serving(synthA));
        assertEquals(promotedVersion, serving(synthB));
    }

    @Test
    @Order(3)
    void rollbackRestoresThePreviousVersionEverywhereAndIsAudited() throws Exception {
        assertEquals(403, admin(synthKey, "/v1/models/rollback", "{}").statusCode(), "a synthesize key cannot roll back");
        HttpResponse<String> r = admin(adminKey, "/v1/models/rollback", "{\"reason\":\"listeners complain\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertEquals(promotedVersion, n.path("from_version").asText());
        assertEquals(baseVersion, n.path("to_version").asText());
        await("synth A back on base", () -> baseVersion.equals(serving(synthA)));
        await("synth B back on base", () -> baseVersion.equals(serving(synthB)));
        assertEquals(baseVersion, synthesize(synthB).path("model_version").asText());
        List<ModelRegistry.Event> ev = registry.events(promotedVersion);
        ModelRegistry.Event last = ev.get(ev.size() - 1);
        assertEquals("rolled_back", last.action());
        assertEquals("loop-admin-" + line, last.actor());
        assertEquals("listeners complain", last.reason());
        assertNotNull(last.publishedAt());
    }

    @Test
    @Order(4)
    void killedTrainerBatchIsFinishedByAnotherWorkerExactlyOnce() throws Exception {
        trainer.close(); // from here on only the workers of this test run
        String batch = batchFromSelfPlay(false);
        Process doomed = startTrainerProcess("worker-doomed");
        try {
            await("the doomed worker to be mid-batch", () -> count("SELECT count(*) FROM training_metrics WHERE batch_id = ? AND attempt = 1", batch) >= 3);
            assertEquals("worker-doomed", batchRow(batch).get("claimed_by"));
        } finally {
            doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no release of the lease
            doomed.waitFor();
        }
        assertEquals("claimed", batchRow(batch).get("status"));
        trainer = TrainerService.start(trainerProps("worker-rescuer", 10));
        String version = awaitDone(batch);
        Map<String, Object> row = batchRow(batch);
        assertEquals(2, row.get("attempts"));
        assertEquals("worker-rescuer", row.get("claimed_by"));
        assertEquals(1, count("SELECT count(*) FROM model_versions WHERE batch_id = ?", batch), "exactly one version from the batch");
        assertEquals(version, registry.get(version).orElseThrow().version());
        assertEquals(10, count("SELECT count(*) FROM training_metrics WHERE batch_id = ? AND attempt = 2", batch));
    }

    Process startTrainerProcess(String workerId) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=1");
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        for (var e : trainerProps(workerId, 1_000_000).entrySet()) cmd.add("-D" + e.getKey() + "=" + e.getValue());
        cmd.add(TrainerService.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(workerId + ".log").toFile());
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("DJL_OFFLINE", "true");
        return pb.start();
    }
}
