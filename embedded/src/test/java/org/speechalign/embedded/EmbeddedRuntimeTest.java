package org.speechalign.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.Topics;

class EmbeddedRuntimeTest {

    @Test
    void postgresAnswersAndASecondStartAttaches() throws Exception {
        EmbeddedRuntime rt = SharedTestRuntime.get();
        try (Connection c = rt.postgres().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database(), current_setting('server_version_num')::int")) {
            assertTrue(rs.next());
            assertEquals(EmbeddedPostgres.DATABASE, rs.getString(1));
            assertTrue(rs.getInt(2) >= 150000);
        }
        try (EmbeddedPostgres again = EmbeddedPostgres.start(rt.home(), 0, Duration.ofSeconds(10))) {
            assertFalse(again.isOwner());
            assertEquals(rt.postgres().port(), again.port());
        }
    }

    @Test
    void platformTopicsExistWithDefaultPartitions() throws Exception {
        EmbeddedRuntime rt = SharedTestRuntime.get();
        try (var admin = rt.kafka().admin()) {
            Set<String> names = admin.listTopics().names().get();
            assertTrue(names.containsAll(Topics.allNamesWithDlq()), names.toString());
            var desc = admin.describeTopics(List.of(Topics.RATINGS)).allTopicNames().get().get(Topics.RATINGS);
            assertEquals(Topics.DEFAULT_PARTITIONS, desc.partitions().size());
        }
    }

    @Test
    void acknowledgedRecordsSurviveABrokerRestart() throws Exception {
        EmbeddedRuntime rt = SharedTestRuntime.get();
        String topic = Topics.dlqOf(Topics.MODEL_VERSIONS);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, null, "before".getBytes(StandardCharsets.UTF_8))).get();
        }
        rt.kafka().stop();
        rt.kafka().start();
        rt.kafka().awaitReady(Duration.ofSeconds(60));
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(List.of("before"), seen);
        }
    }
}
