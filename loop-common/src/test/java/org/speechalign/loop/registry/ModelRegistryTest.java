package org.speechalign.loop.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.ModelVersion;
import org.speechalign.contracts.Topics;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.loop.store.ArtifactVerificationException;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.loop.store.ModelStore;
import org.speechalign.migrations.Migrations;

/** Model store and registry on a real PostgreSQL (and the outbox on a real broker). */
class ModelRegistryTest {

    static EmbeddedRuntime rt;
    static DataSource ds;
    static ModelRegistry registry;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        rt = SharedTestRuntime.get();
        ds = rt.postgres().dataSource();
        Migrations.migrate(ds);
        registry = new ModelRegistry(ds);
    }

    static Path file(String content) throws Exception {
        Path p = Files.createTempFile(tmp, "artifact", ".bin");
        Files.writeString(p, content);
        return p;
    }

    ModelStore.Stored register(ModelStore store, String line, String content, String parent) throws Exception {
        ModelStore.Stored s = store.put(file(content));
        registry.inTransaction(c -> registry.register(c, new ModelRegistry.NewVersion(ModelRegistry.versionName(line, s.sha256()), line, parent,
                s.uri(), s.sha256(), Map.of("x", 1.0), null), "test", null, Map.of()));
        return s;
    }

    @Test
    void storeIsContentAddressedAndFetchVerifies() throws Exception {
        DirectoryModelStore store = new DirectoryModelStore(tmp.resolve("store1"));
        ModelStore.Stored a = store.put(file("hello"));
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", a.sha256());
        assertEquals(a, store.put(file("hello")), "put is idempotent");
        assertTrue(store.contains(a.sha256()));
        Path local = store.fetch(a.uri(), a.sha256());
        assertEquals("hello", Files.readString(local));
        // tampered: the bytes at the URI no longer hash to the announced digest
        Files.writeString(Path.of(java.net.URI.create(a.uri())), "hellO");
        ArtifactVerificationException e = assertThrows(ArtifactVerificationException.class, () -> store.fetch(a.uri(), a.sha256()));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        assertThrows(ArtifactVerificationException.class, () -> store.fetch("file:///nonexistent/x.salm", a.sha256()));
        assertThrows(ArtifactVerificationException.class, () -> store.fetch(a.uri(), "not-a-digest"));
        assertTrue(store.delete(a.sha256()));
        assertFalse(store.contains(a.sha256()));
    }

    @Test
    void promoteRollbackAndAudit() throws Exception {
        String line = "line-" + UUID.randomUUID();
        DirectoryModelStore store = new DirectoryModelStore(tmp.resolve("store2"));
        ModelStore.Stored s1 = store.put(file("v1 " + line));
        ModelRegistry.Version base = registry.bootstrap(new ModelRegistry.NewVersion(ModelRegistry.versionName(line, s1.sha256()), line, null,
                s1.uri(), s1.sha256(), Map.of(), null), "bootstrap");
        assertEquals(base.version(), registry.serving(line).orElseThrow().version());
        // a second bootstrap (another instance starting) changes nothing
        ModelStore.Stored other = store.put(file("other " + line));
        assertEquals(base.version(), registry.bootstrap(new ModelRegistry.NewVersion(ModelRegistry.versionName(line, other.sha256()), line, null,
                other.uri(), other.sha256(), Map.of(), null), "bootstrap").version());

        ModelStore.Stored s2 = register(store, line, "v2 " + line, base.version());
        String v2 = ModelRegistry.versionName(line, s2.sha256());
        assertEquals(ModelVersion.Status.CANDIDATE, registry.get(v2).orElseThrow().status());
        boolean promoted = registry.inTransaction(c -> registry.promote(c, v2, "gate", "not worse", Map.of("ci_high", 0.01)));
        assertTrue(promoted);
        boolean again = registry.inTransaction(c -> registry.promote(c, v2, "gate", "again", Map.of()));
        assertFalse(again, "promoting the serving version is a no-op");
        ModelStore.Stored s3 = register(store, line, "v3 " + line, v2);
        String v3 = ModelRegistry.versionName(line, s3.sha256());
        registry.inTransaction(c -> { registry.reject(c, v3, "gate", "worse: ci_low 0.2 > margin 0.01", Map.of()); return null; });
        assertThrows(RegistryException.class, () -> registry.inTransaction(c -> { registry.reject(c, v2, "x", "y", Map.of()); return null; }));
        assertEquals(v2, registry.serving(line).orElseThrow().version());
        assertEquals(base.version(), registry.previousServing(line).orElseThrow());

        ModelRegistry.Rollback rb = registry.rollback(line, null, "ops-admin", "bad ratings");
        assertEquals(new ModelRegistry.Rollback(line, v2, base.version()), rb);
        assertEquals(base.version(), registry.serving(line).orElseThrow().version());
        assertEquals(ModelVersion.Status.ROLLED_BACK, registry.get(v2).orElseThrow().status());
        List<ModelRegistry.Event> ev = registry.events(v2);
        assertEquals(List.of("registered", "promoted", "rolled_back"), ev.stream().map(ModelRegistry.Event::action).toList());
        assertEquals("ops-admin", ev.get(2).actor());
        assertEquals("bad ratings", ev.get(2).reason());
        ModelRegistry.Event back = registry.events(base.version()).get(registry.events(base.version()).size() - 1);
        assertEquals("promoted", back.action());
        assertEquals(v2, back.fromVersion());
        // no earlier version left to roll back to (v2 was rolled back, v3 rejected)
        assertThrows(RegistryException.class, () -> registry.rollback(line, null, "ops", null));
        // explicit target: the operator may bring v2 back
        assertEquals(v2, registry.rollback(line, v2, "ops", "it was fine").to());
    }

    @Test
    void retentionKeepsServingAndRollbackTargets() throws Exception {
        String line = "ret-" + UUID.randomUUID();
        DirectoryModelStore store = new DirectoryModelStore(tmp.resolve("store3"));
        List<String> versions = new ArrayList<>();
        String parent = null;
        for (int i = 0; i < 4; i++) {
            ModelStore.Stored s = register(store, line, "r" + i + line, parent);
            String v = ModelRegistry.versionName(line, s.sha256());
            registry.inTransaction(c -> registry.promote(c, v, "gate", null, Map.of()));
            versions.add(v);
            parent = v;
        }
        ModelStore.Stored rej = register(store, line, "rejected" + line, parent);
        String rejected = ModelRegistry.versionName(line, rej.sha256());
        registry.inTransaction(c -> { registry.reject(c, rejected, "gate", "worse", Map.of()); return null; });
        Path orphan = file("orphan" + line);
        ModelStore.Stored o = store.put(orphan);

        Retention.Result r = new Retention(registry, store, new Retention.Rule(2, Duration.ZERO)).collect("retention");
        assertTrue(r.kept().containsAll(List.of(versions.get(3), versions.get(2), versions.get(1))), r.toString());
        assertTrue(r.deletedVersions().containsAll(List.of(versions.get(0), rejected)), r.toString());
        assertFalse(r.deletedVersions().contains(versions.get(3)));
        assertTrue(r.deletedOrphans().contains(o.sha256()));
        assertTrue(store.contains(registry.get(versions.get(3)).orElseThrow().artifactSha256()));
        assertTrue(store.contains(registry.get(versions.get(1)).orElseThrow().artifactSha256()));
        assertFalse(store.contains(rej.sha256()));
        assertEquals("deleted", registry.events(rejected).get(registry.events(rejected).size() - 1).action());
        // a deleted artifact can no longer serve
        assertThrows(RegistryException.class, () -> registry.rollback(line, versions.get(0), "ops", null));
        assertEquals(versions.get(2), registry.rollback(line, null, "ops", null).to());
    }

    @Test
    void outboxPublishesInOrderAfterTheRowExists() throws Exception {
        String line = "out-" + UUID.randomUUID();
        DirectoryModelStore store = new DirectoryModelStore(tmp.resolve("store4"));
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.MODEL_VERSIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            OutboxRelay relay = new OutboxRelay(registry, producer, Duration.ofSeconds(30));
            relay.publishPending(); // whatever other tests left
            ModelStore.Stored s1 = store.put(file("o1" + line));
            String v1 = ModelRegistry.versionName(line, s1.sha256());
            registry.bootstrap(new ModelRegistry.NewVersion(v1, line, null, s1.uri(), s1.sha256(), Map.of(), null), "bootstrap");
            ModelStore.Stored s2 = register(store, line, "o2" + line, v1);
            String v2 = ModelRegistry.versionName(line, s2.sha256());
            registry.inTransaction(c -> registry.promote(c, v2, "gate", null, Map.of()));
            registry.rollback(line, null, "ops", null);
            assertEquals(6, relay.publishPending());
            assertEquals(0, relay.publishPending(), "published events are marked");
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 6 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    if (!line.equals(rec.key())) continue;
                    ModelVersion mv = Json.read(rec.value(), ModelVersion.class);
                    seen.add(mv.version() + ":" + mv.status().wire());
                }
            }
            assertEquals(List.of(v1 + ":candidate", v1 + ":promoted", v2 + ":candidate", v2 + ":promoted", v2 + ":rolled_back", v1 + ":promoted"), seen);
        }
    }
}
