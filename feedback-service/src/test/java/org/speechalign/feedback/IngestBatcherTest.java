package org.speechalign.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
import org.speechalign.contracts.Fingerprints;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Topics;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.migrations.Migrations;

/**
 * The group commit of {@link FeedbackIngest}/{@link IngestBatcher} on a real broker and a real
 * PostgreSQL: requests claimed in one transaction are decided as if they had come one after
 * another, and a Kafka failure fails its requests while leaving their retries free to succeed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestBatcherTest {

    static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);
    /** Long enough that a group closes on its event count, never on the linger, in these tests. */
    static final Duration LINGER = Duration.ofSeconds(30);

    EmbeddedRuntime rt;
    DataSource ds;
    KafkaProducer<String, byte[]> producer;
    final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start() {
        rt = SharedTestRuntime.get();
        ds = rt.postgres().dataSource();
        Migrations.migrate(ds);
        producer = producer(Map.of());
    }

    @AfterAll
    void stop() {
        if (producer != null) {
            producer.close();
        }
    }

    KafkaProducer<String, byte[]> producer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * An ingest with one worker per kind, single events queued with arrays, whose groups close at
     * exactly {@code groupEvents} events.
     */
    FeedbackIngest ingest(Producer<String, byte[]> kafka, int groupEvents, SimpleMeterRegistry meters) {
        return new FeedbackIngest(new ClaimStore(ds), kafka, ACK_TIMEOUT, 0, 1, groupEvents, LINGER, meters);
    }

    Rating rating(String id, int score) {
        return new Rating(run + "-" + id, "syn-batcher", "rater-batcher", score, Instant.parse("2026-03-01T10:00:00Z"));
    }

    static FeedbackIngest.Result result(CompletableFuture<FeedbackIngest.Result> f) throws Exception {
        return f.get(ACK_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
    }

    /** Claimed fingerprint per id of this run. */
    Map<String, String> claims() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, payload_sha256 FROM ingest_claims WHERE kind = 'rating' AND id LIKE ?")) {
            ps.setString(1, run + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1).substring(run.length() + 1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Every rating of this run in the ratings topic up to its current end, as id → records. */
    Map<String, List<Rating>> inKafka() throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, List<Rating>> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < Topics.DEFAULT_PARTITIONS; i++) {
                parts.add(new TopicPartition(Topics.RATINGS, i));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "reading the ratings topic to its end timed out");
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String value = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
                    if (value.contains("\"" + run + "-")) {
                        Rating rating = Json.read(r.value(), Rating.class);
                        out.computeIfAbsent(rating.ratingId().substring(run.length() + 1), k -> new ArrayList<>()).add(rating);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void oneGroupDecidesItsRequestsInOrder() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // 9 events in 8 requests: the group closes when the last one is queued.
        try (FeedbackIngest ingest = ingest(producer, 9, meters)) {
            List<CompletableFuture<FeedbackIngest.Result>> f = new ArrayList<>();
            f.add(ingest.ratings(List.of(rating("g1", 4))));                   // 0: new
            f.add(ingest.ratings(List.of(rating("g1", 4))));                   // 1: same payload: a duplicate
            f.add(ingest.ratings(List.of(rating("g1", 2))));                   // 2: other payload: conflict
            f.add(ingest.ratings(List.of(rating("g2", 3))));                   // 3: new
            f.add(ingest.ratings(List.of(rating("g3", 1), rating("g1", 5))));  // 4: conflict on g1: claims neither
            f.add(ingest.ratings(List.of(rating("g3", 5))));                   // 5: g3 is free again: new, with score 5
            f.add(ingest.ratings(List.of(rating("g4", 1))));                   // 6: new
            f.add(ingest.ratings(List.of(rating("g5", 1))));                   // 7: new; with it the group holds 9 events: it closes
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(f.get(0)));
            assertEquals(new FeedbackIngest.Accepted(0, 1), result(f.get(1)));
            assertEquals(new FeedbackIngest.Conflict(List.of(run + "-g1")), result(f.get(2)));
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(f.get(3)));
            assertEquals(new FeedbackIngest.Conflict(List.of(run + "-g1")), result(f.get(4)));
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(f.get(5)));
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(f.get(6)));
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(f.get(7)));
            var groups = meters.get("feedback.claim.group.requests").tag("kind", "rating").summary();
            assertEquals(1, groups.count(), "the eight requests were claimed in one transaction");
            assertEquals(8, groups.max());
            // the counter moves just after a request's answer is completed: wait for it, then check
            // it did not overshoot
            var accepted = meters.get("feedback.events.accepted").tag("kind", "rating").counter();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (accepted.count() < 5 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(5, accepted.count());
        }
        Map<String, String> claims = new HashMap<>(claims());
        claims.keySet().removeIf(id -> !id.startsWith("g"));
        assertEquals(Map.of(
                "g1", Fingerprints.rating(rating("g1", 4)),
                "g2", Fingerprints.rating(rating("g2", 3)),
                "g3", Fingerprints.rating(rating("g3", 5)),
                "g4", Fingerprints.rating(rating("g4", 1)),
                "g5", Fingerprints.rating(rating("g5", 1))), claims, "refused requests left no claim; g3 carries its owner's payload");
        Map<String, List<Rating>> kafka = inKafka();
        assertEquals(1, kafka.get("g1").size(), "the duplicate inside the group was sent once");
        assertEquals(4, kafka.get("g1").get(0).score());
        assertEquals(1, kafka.get("g3").size());
        assertEquals(5, kafka.get("g3").get(0).score(), "only the accepted payload reached Kafka");
        assertEquals(List.of("g1", "g2", "g3", "g4", "g5"), kafka.keySet().stream().filter(k -> k.startsWith("g")).sorted().toList());

        // Groups of one, afterwards: the claims made by the group are what later requests see.
        try (FeedbackIngest later = ingest(producer, 1, new SimpleMeterRegistry())) {
            assertEquals(new FeedbackIngest.Accepted(0, 1), result(later.ratings(List.of(rating("g3", 5)))));
            assertEquals(new FeedbackIngest.Conflict(List.of(run + "-g3")), result(later.ratings(List.of(rating("g3", 1)))));
            assertEquals(new FeedbackIngest.Accepted(0, 2), result(later.ratings(List.of(rating("g1", 4), rating("g1", 4)))));
        }
    }

    @Test
    void aGroupOfSingleRatingsIsOneStatement() throws Exception {
        // Every request holds one event: the claim is one autocommit statement, with no fix-ups.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FeedbackIngest ingest = ingest(producer, 4, meters)) {
            var a = ingest.ratings(List.of(rating("s1", 2)));
            var b = ingest.ratings(List.of(rating("s1", 2)));
            var c = ingest.ratings(List.of(rating("s1", 3)));
            var d = ingest.ratings(List.of(rating("s2", 3)));
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(a));
            assertEquals(new FeedbackIngest.Accepted(0, 1), result(b));
            assertEquals(new FeedbackIngest.Conflict(List.of(run + "-s1")), result(c));
            assertEquals(new FeedbackIngest.Accepted(1, 0), result(d));
            assertEquals(1, meters.get("feedback.claim.group.requests").tag("kind", "rating").summary().count());
        }
        Map<String, String> claims = claims();
        assertEquals(Fingerprints.rating(rating("s1", 2)), claims.get("s1"));
        assertEquals(Fingerprints.rating(rating("s2", 3)), claims.get("s2"));
        Map<String, List<Rating>> kafka = inKafka();
        assertEquals(1, kafka.get("s1").size());
        assertEquals(2, kafka.get("s1").get(0).score());
        assertEquals(1, kafka.get("s2").size());
    }

    @Test
    void singleEventsHaveALaneOfTheirOwn() throws Exception {
        // Groups of 3 events: with a lane, the three singles are one group and the array another;
        // without, the array and the first single would have been one group (closed at 3 events).
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FeedbackIngest ingest = new FeedbackIngest(new ClaimStore(ds), producer, ACK_TIMEOUT, 1, 1, 3,
                Duration.ofMillis(300), meters)) {
            var array = ingest.ratings(List.of(rating("l1", 1), rating("l2", 2)));
            var singles = List.of(ingest.ratings(List.of(rating("l3", 3))), ingest.ratings(List.of(rating("l4", 4))),
                    ingest.ratings(List.of(rating("l5", 5))));
            assertEquals(new FeedbackIngest.Accepted(2, 0), result(array));
            for (var single : singles) {
                assertEquals(new FeedbackIngest.Accepted(1, 0), result(single));
            }
            var groups = meters.get("feedback.claim.group.requests").tag("kind", "rating").summary();
            assertEquals(2, groups.count());
            assertEquals(3, groups.max());
        }
        assertEquals(5, claims().keySet().stream().filter(k -> k.startsWith("l")).count());
    }

    @Test
    void aKafkaFailureFailsItsGroupAndRetriesSucceed() throws Exception {
        // A real producer that Kafka's client refuses every record of (each is larger than max.request.size).
        List<List<Rating>> requests = List.of(
                List.of(rating("k1", 3)),
                List.of(rating("k1", 3)),
                List.of(rating("k2", 4), rating("k3", 5)),
                List.of(rating("k4", 1)));
        try (KafkaProducer<String, byte[]> refusing = producer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64));
             FeedbackIngest ingest = ingest(refusing, 5, new SimpleMeterRegistry())) {
            List<CompletableFuture<FeedbackIngest.Result>> f = requests.stream().map(ingest::ratings).toList();
            for (CompletableFuture<FeedbackIngest.Result> r : f) {
                FeedbackIngest.Unavailable u = assertInstanceOf(FeedbackIngest.Unavailable.class, result(r));
                assertTrue(u.reason().startsWith("Kafka: "), u.reason());
            }
        }
        assertTrue(inKafka().keySet().stream().noneMatch(k -> k.startsWith("k")), "nothing reached Kafka");

        // The same requests again (the product retries after 503): accepted, each record sent once.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FeedbackIngest ingest = ingest(producer, 5, meters)) {
            List<CompletableFuture<FeedbackIngest.Result>> f = requests.stream().map(ingest::ratings).toList();
            for (int i = 0; i < f.size(); i++) {
                FeedbackIngest.Accepted a = assertInstanceOf(FeedbackIngest.Accepted.class, result(f.get(i)), "retry " + i);
                assertEquals(requests.get(i).size(), a.accepted() + a.duplicates());
            }
            // The claims kept from the failed attempt still hold the first payload: another payload is a conflict.
            assertEquals(new FeedbackIngest.Conflict(List.of(run + "-k2")), result(ingest.ratings(List.of(rating("k2", 1)))));
        }
        Map<String, List<Rating>> kafka = inKafka();
        for (String id : List.of("k1", "k2", "k3", "k4")) {
            assertEquals(1, kafka.getOrDefault(id, List.of()).size(), id + " reached Kafka once");
        }
        assertEquals(4, kafka.get("k2").get(0).score());
    }
}
