package org.speechalign.synth;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.corpus.Utterance;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.lm.CodecLm;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.golden.TinySetup;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.registry.OutboxRelay;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.loop.store.ModelStore;
import org.speechalign.migrations.Migrations;

/** synth-service on a real broker and PostgreSQL with a tiny untrained model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SynthServiceTest {

    static final Duration DEADLINE = Duration.ofSeconds(60);
    EmbeddedRuntime rt;
    DataSource ds;
    ApplicationContext ctx;
    String base;
    String key;
    String ingestKey;
    HttpClient http = HttpClient.newHttpClient();
    String line = "synth-" + UUID.randomUUID().toString().substring(0, 8);
    Path dir;
    DirectoryModelStore store;
    ModelRegistry registry;
    KafkaProducer<String, byte[]> producer;
    String baseVersion;
    List<Utterance> corpus;

    @BeforeAll
    void start() throws Exception {
        rt = SharedTestRuntime.get();
        ds = rt.postgres().dataSource();
        Migrations.migrate(ds);
        dir = Files.createTempDirectory("synth-test");
        store = new DirectoryModelStore(dir.resolve("store"));
        registry = new ModelRegistry(ds);
        Path archive;
        try (CodecLm lm = TinySetup.model(1)) {
            archive = lm.save(dir.resolve("models"));
        }
        corpus = TinySetup.corpus(line, 20, 3);
        GoldenRepository golden = new GoldenRepository(ds);
        for (Utterance u : corpus) golden.insert(TinySetup.event(u));
        ApiKeys keys = new ApiKeys(ds);
        key = keys.create("synth-test-" + line, EnumSet.of(ApiKeys.Role.SYNTHESIZE), null).secret();
        ingestKey = keys.create("synth-test-ingest-" + line, EnumSet.of(ApiKeys.Role.INGEST), null).secret();
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", -1);
        props.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
        props.put("database.url", rt.postgres().jdbcUrl());
        props.put("database.user", rt.postgres().user());
        props.put("model.store", store.directory().toString());
        props.put("synth.model-line", line);
        props.put("synth.base-model", archive.toString());
        props.put("synth.max-frames-per-phone", 4);
        props.put("synth.self-play-enabled", false);
        props.put("synth.self-play-batch-size", 4);
        ctx = SynthService.start(props);
        base = SynthService.url(ctx);
        baseVersion = registry.serving(line).orElseThrow().version();
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    void stop() {
        if (ctx != null) ctx.close();
        if (producer != null) producer.close();
    }

    HttpResponse<String> post(String k, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/synthesize"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (k != null) b.header("Authorization", "Bearer " + k);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String serving() throws Exception {
        JsonNode n = Json.MAPPER.readTree(get("/v1/models").body());
        return n.path("serving").path("version").asText(null);
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void synthesizesEmitsAndServesAudio() throws Exception {
        KafkaConsumer<String, byte[]> consumer = consumer();
        HttpResponse<String> r = post(key, "{\"text\":\"Hello world.\",\"speaker\":\"slt\",\"samples\":2,\"temperature\":0.8,\"seed\":7}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertEquals(baseVersion, n.path("model_version").asText());
        assertEquals(2, n.path("syntheses").size());
        JsonNode s0 = n.path("syntheses").get(0);
        assertEquals(11, s0.path("tokens").size(), "coarse + 10 fine codebooks");
        HttpResponse<byte[]> wav = http.send(HttpRequest.newBuilder(URI.create(base + s0.path("audio_url").asText()))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, wav.statusCode());
        assertEquals("RIFF", new String(wav.body(), 0, 4));
        assertEquals(44 + 2 * 160 * s0.path("frames").asInt(), wav.body().length);
        List<Synthesis> seen = poll(consumer, 2, s -> true);
        assertTrue(seen.stream().anyMatch(s -> s.synthesisId().equals(s0.path("synthesis_id").asText())));
        assertEquals(Synthesis.Origin.PRODUCT, seen.get(0).origin());
        consumer.close();
    }

    @Test
    void selfPlayUsesTrainSplitOnly() throws Exception {
        SelfPlay sp = ctx.getBean(SelfPlay.class);
        List<Synthesis> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) all.addAll(sp.runOnce());
        assertTrue(all.size() >= 5);
        for (Synthesis s : all) {
            assertEquals(Synthesis.Origin.SELF_PLAY, s.origin());
            Utterance u = corpus.stream().filter(c -> c.utteranceId().equals(s.utteranceId())).findFirst().orElse(null);
            if (u != null) assertEquals(org.speechalign.corpus.Split.TRAIN, u.split(), s.utteranceId());
            assertNotNull(s.utteranceId());
        }
    }

    @Test
    void servesItsOpenApiDocumentWithoutKey() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/openapi.yml")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"), r.headers().toString());
        assertTrue(r.body().contains("title: synth-service") && r.body().contains("/v1/synthesize"), r.body());
    }

    @Test
    void badRequestsGet400NamingTheField() throws Exception {
        Map<String, String> cases = new HashMap<>();
        cases.put("{\"text\":\"\",\"speaker\":\"slt\"}", "text");
        cases.put("{\"speaker\":\"slt\"}", "text");
        cases.put("{\"text\":\"" + "a".repeat(501) + "\",\"speaker\":\"slt\"}", "text");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"nobody\"}", "speaker");
        cases.put("{\"text\":\"hi there\"}", "speaker");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"slt\",\"samples\":0}", "samples");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"slt\",\"samples\":99}", "samples");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"slt\",\"temperature\":-1}", "temperature");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"slt\",\"temperature\":9.5}", "temperature");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"slt\",\"seed\":-3}", "seed");
        cases.put("{\"text\":\"hi there\",\"speaker\":\"slt\",\"samples\":\"two\"}", "samples");
        cases.put("{\"text\":42,\"speaker\":\"slt\"}", "text");
        cases.put("{\"text\":\"hi\",", "(body)");
        for (var e : cases.entrySet()) {
            HttpResponse<String> r = post(key, e.getKey());
            assertEquals(400, r.statusCode(), e.getKey() + " → " + r.body());
            JsonNode errors = Json.MAPPER.readTree(r.body()).path("errors");
            boolean named = false;
            for (JsonNode err : errors) named |= err.path("field").asText().equals(e.getValue());
            assertTrue(named, e.getKey() + " → " + r.body());
        }
        assertEquals(401, post(null, "{\"text\":\"hi\",\"speaker\":\"slt\"}").statusCode());
        assertEquals(403, post(ingestKey, "{\"text\":\"hi\",\"speaker\":\"slt\"}").statusCode());
    }

    @Test
    void tamperedArtifactIsRefusedAndTheOldModelServes() throws Exception {
        Path archive;
        try (CodecLm lm = TinySetup.model(2)) {
            archive = lm.save(dir.resolve("models2"));
        }
        ModelStore.Stored s = store.put(archive);
        String v = ModelRegistry.versionName(line, s.sha256());
        registry.inTransaction(c -> registry.register(c, new ModelRegistry.NewVersion(v, line, baseVersion, s.uri(), s.sha256(), Map.of(), null),
                "test", null, Map.of()));
        // the file changes after registration: one byte flipped
        Path file = Path.of(URI.create(s.uri()));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        String before = serving();
        registry.inTransaction(c -> registry.promote(c, v, "test", "tamper test", Map.of()));
        new OutboxRelay(registry, producer, Duration.ofSeconds(30)).publishPending();
        await("the refusal", () -> {
            try {
                return Json.MAPPER.readTree(get("/v1/models").body()).path("last_refused").path("version").asText().equals(v);
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(before, serving());
        HttpResponse<String> r = post(key, "{\"text\":\"still here\",\"speaker\":\"rms\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(before, Json.MAPPER.readTree(r.body()).path("model_version").asText());
        // put things back for the other tests: the registry serves the base again
        registry.rollback(line, baseVersion, "test", "undo tamper test");
        new OutboxRelay(registry, producer, Duration.ofSeconds(30)).publishPending();
    }

    KafkaConsumer<String, byte[]> consumer() {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(Topics.SYNTHESIS).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    static List<Synthesis> poll(KafkaConsumer<String, byte[]> c, int n, java.util.function.Predicate<Synthesis> keep) throws Exception {
        List<Synthesis> out = new ArrayList<>();
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (out.size() < n && System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(200))) {
                Synthesis s = Json.read(rec.value(), Synthesis.class);
                if (keep.test(s)) out.add(s);
            }
        }
        assertTrue(out.size() >= n, "got " + out.size() + " of " + n + " syntheses");
        return out;
    }
}
