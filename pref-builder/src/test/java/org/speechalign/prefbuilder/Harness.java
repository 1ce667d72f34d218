package org.speechalign.prefbuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.contracts.Json;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;

/** The real embedded broker and PostgreSQL, with a fresh database and fresh topic names per test. */
final class Harness implements AutoCloseable {

    private static final AtomicInteger SEQ = new AtomicInteger();

    final EmbeddedRuntime rt = SharedTestRuntime.get();
    final String name;
    final PrefTopics topics;
    final String jdbcUrl;
    final Path stateRoot;
    final KafkaProducer<String, byte[]> producer;

    Harness(String label) throws Exception {
        name = label + "_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
        topics = new PrefTopics(name + ".");
        String admin = rt.postgres().jdbcUrl();
        try (Connection c = DriverManager.getConnection(admin, rt.postgres().user(), "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name.toLowerCase());
        }
        jdbcUrl = admin.substring(0, admin.lastIndexOf('/') + 1) + name.toLowerCase();
        stateRoot = Files.createTempDirectory(Path.of("target"), "state-" + name);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // Test input only: the topology drops exact repeats, and an idempotent producer here was
        // seen failing with OutOfOrderSequenceException against the in-process broker.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    PrefBuilderConfig config(String instance, PairingPolicy pairing, BatchPolicy batching) {
        return PrefBuilderConfig.of(rt.kafka().bootstrapServers(), jdbcUrl, rt.postgres().user(), "",
                        stateRoot.resolve(instance))
                .withTopics(topics)
                .withIds(name + "-app", name + "-sink", instance)
                .withPolicies(pairing, batching);
    }

    void send(String topic, String key, Object event) {
        try {
            producer.send(new ProducerRecord<>(topic, key, Json.write(event))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    Connection db() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, rt.postgres().user(), "");
    }

    long count(String sql) throws SQLException {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Every row of a table as text, sorted: the "unchanged" comparison of replay tests. */
    List<String> dump(String table, String orderBy) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY " + orderBy)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    sb.append(md.getColumnName(i)).append('=').append(rs.getString(i)).append(';');
                }
                rows.add(sb.toString());
            }
        }
        return rows;
    }

    /** Polls a condition until it holds or the deadline passes (no fixed sleeps as synchronisation). */
    static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                + (last == null ? "" : " (last error: " + last + ")"));
    }

    /** Whether a consumer group has committed the end offset of every partition of the topics. */
    boolean caughtUp(String group, List<String> topicNames) throws Exception {
        try (Admin admin = rt.kafka().admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
            for (var d : admin.describeTopics(topicNames).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> ask.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS);
            for (var e : ends.entrySet()) {
                long end = e.getValue().offset();
                OffsetAndMetadata c = committed.get(e.getKey());
                if (end > 0 && (c == null || c.offset() < end)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Every record now on a topic (read_committed), read from the start. */
    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
