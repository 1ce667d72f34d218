package org.speechalign.feedback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.DeadLetter;
import org.speechalign.contracts.Fingerprints;
import org.speechalign.contracts.InvalidEvent;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.Validation;

/**
 * The component that lands ratings and comparisons in PostgreSQL: consumes
 * {@code speech.ratings.v1} and {@code speech.comparisons.v1} (whoever produced them: this
 * service or a product writing to Kafka directly) and upserts them with
 * {@code INSERT … ON CONFLICT DO NOTHING} on rating_id / comparison_id, one transaction per
 * poll, committing offsets only after the database commit. A replay therefore changes nothing.
 * Invalid records and ids already stored with another payload go to {@code <topic>.dlq} with
 * the reason; records of an erased rater older than the erasure are dropped.
 *
 * <p>Several consumers of one group may run side by side, each on its own thread and partitions
 * (one consumer stored 29–38k ratings/s on the 2-core bench machine, two 11–13 % more, within the
 * noise). Their transactions may race on an id only when its records sit in two partitions
 * (another payload under another key); each inserts its rows in id order, so one waits for the other
 * and the loser's record goes to the DLQ, as within one consumer.
 */
final class FeedbackSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FeedbackSink.class);
    static final String CONSUMER_NAME = "feedback-service.sink";

    private final List<Consumer<String, byte[]>> consumers;
    private final Producer<String, byte[]> dlqProducer;
    private final DataSource dataSource;
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();

    /** @param consumers consumers of one group, each run on a thread of its own */
    FeedbackSink(List<Consumer<String, byte[]>> consumers, Producer<String, byte[]> dlqProducer, DataSource dataSource) {
        this.consumers = List.copyOf(consumers);
        this.dlqProducer = dlqProducer;
        this.dataSource = dataSource;
    }

    synchronized void start() {
        for (int i = 0; i < consumers.size(); i++) {
            Consumer<String, byte[]> consumer = consumers.get(i);
            Thread t = new Thread(() -> run(consumer), "feedback-sink-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void run(Consumer<String, byte[]> consumer) {
        try {
            consumer.subscribe(List.of(Topics.RATINGS, Topics.COMPARISONS));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    process(records);
                    consumer.commitSync();
                } catch (Exception e) {
                    if (!running) {
                        break;
                    }
                    LOG.warn("sink batch failed, will retry it: {}", e.toString());
                    rewind(consumer, records);
                    pause(Duration.ofSeconds(1));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("sink stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    void process(ConsumerRecords<String, byte[]> records) throws Exception {
        List<DeadLetter> dead = new ArrayList<>();
        Map<String, Parsed<Rating>> ratings = new LinkedHashMap<>();
        Map<String, Parsed<Comparison>> comparisons = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                if (r.topic().equals(Topics.RATINGS)) {
                    Rating rating = Validation.readValid(r.value(), Rating.class);
                    if (rating.createdAt() == null) {
                        rating = rating.withCreatedAt(Instant.ofEpochMilli(r.timestamp()));
                    }
                    keepFirst(ratings, rating.ratingId(), new Parsed<>(rating, Fingerprints.rating(rating), r), dead);
                } else {
                    Comparison c = Validation.readValid(r.value(), Comparison.class);
                    if (c.createdAt() == null) {
                        c = c.withCreatedAt(Instant.ofEpochMilli(r.timestamp()));
                    }
                    keepFirst(comparisons, c.comparisonId(), new Parsed<>(c, Fingerprints.comparison(c), r), dead);
                }
            } catch (InvalidEvent e) {
                dead.add(deadLetter(r, e.getMessage()));
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Instant> erasures = erasures(c, ratings.values(), comparisons.values());
                dropErased(ratings, erasures, Rating::raterId);
                dropErased(comparisons, erasures, Comparison::raterId);
                upsertRatings(c, ratings, dead);
                upsertComparisons(c, comparisons, dead);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (DeadLetter d : dead) {
            acks.add(dlqProducer.send(new ProducerRecord<>(Topics.dlqOf(d.sourceTopic()), null, Json.write(d))));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    private record Parsed<T>(T event, String fingerprint, ConsumerRecord<String, byte[]> record) {
    }

    private static <T> void keepFirst(Map<String, Parsed<T>> map, String id, Parsed<T> parsed, List<DeadLetter> dead) {
        Parsed<T> first = map.putIfAbsent(id, parsed);
        if (first != null && !first.fingerprint().equals(parsed.fingerprint())) {
            dead.add(deadLetter(parsed.record(), "id " + id + " was seen before with another payload"));
        }
    }

    private static Map<String, Instant> erasures(Connection c, java.util.Collection<Parsed<Rating>> ratings,
                                                 java.util.Collection<Parsed<Comparison>> comparisons) throws SQLException {
        Set<String> raters = new HashSet<>();
        ratings.forEach(p -> raters.add(p.event().raterId()));
        comparisons.forEach(p -> raters.add(p.event().raterId()));
        Map<String, Instant> out = new HashMap<>();
        if (raters.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT rater_id, max(erased_at) FROM rater_erasures WHERE rater_id = ANY(?::text[]) GROUP BY rater_id")) {
            ps.setObject(1, raters.toArray(String[]::new));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        }
        return out;
    }

    private static <T> void dropErased(Map<String, Parsed<T>> map, Map<String, Instant> erasures, Function<T, String> rater) {
        if (!erasures.isEmpty()) {
            map.values().removeIf(p -> {
                Instant erasedAt = erasures.get(rater.apply(p.event()));
                return erasedAt != null && p.record().timestamp() <= erasedAt.toEpochMilli();
            });
        }
    }

    private static void upsertRatings(Connection c, Map<String, Parsed<Rating>> ratings, List<DeadLetter> dead) throws SQLException {
        if (ratings.isEmpty()) {
            return;
        }
        List<Parsed<Rating>> rows = new ArrayList<>(ratings.values());
        rows.sort(java.util.Comparator.comparing(p -> p.event().ratingId()));
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ratings (rating_id, synthesis_id, rater_id, score, created_at, payload_sha256, kafka_partition, kafka_offset) "
                        + "SELECT id, synthesis_id, rater_id, score, " + FROM_MICROS + ", sha, part, off "
                        + "FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::text[], ?::int[], ?::bigint[]) "
                        + "AS u(id, synthesis_id, rater_id, score, micros, sha, part, off) "
                        + "ON CONFLICT (rating_id) DO NOTHING RETURNING rating_id")) {
            ps.setObject(1, rows.stream().map(p -> p.event().ratingId()).toArray(String[]::new));
            ps.setObject(2, rows.stream().map(p -> p.event().synthesisId()).toArray(String[]::new));
            ps.setObject(3, rows.stream().map(p -> p.event().raterId()).toArray(String[]::new));
            ps.setObject(4, rows.stream().mapToInt(p -> p.event().score()).toArray());
            ps.setObject(5, rows.stream().mapToLong(p -> micros(p.event().createdAt())).toArray());
            ps.setObject(6, rows.stream().map(Parsed::fingerprint).toArray(String[]::new));
            ps.setObject(7, rows.stream().mapToInt(p -> p.record().partition()).toArray());
            ps.setObject(8, rows.stream().mapToLong(p -> p.record().offset()).toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        conflicts(c, "ratings", "rating_id", rows, p -> p.event().ratingId(), inserted, dead);
    }

    private static void upsertComparisons(Connection c, Map<String, Parsed<Comparison>> comparisons, List<DeadLetter> dead)
            throws SQLException {
        if (comparisons.isEmpty()) {
            return;
        }
        List<Parsed<Comparison>> rows = new ArrayList<>(comparisons.values());
        rows.sort(java.util.Comparator.comparing(p -> p.event().comparisonId()));
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO comparisons (comparison_id, synthesis_a, synthesis_b, winner, rater_id, created_at, payload_sha256, kafka_partition, kafka_offset) "
                        + "SELECT id, synthesis_a, synthesis_b, winner, rater_id, " + FROM_MICROS + ", sha, part, off "
                        + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::int[], ?::bigint[]) "
                        + "AS u(id, synthesis_a, synthesis_b, winner, rater_id, micros, sha, part, off) "
                        + "ON CONFLICT (comparison_id) DO NOTHING RETURNING comparison_id")) {
            ps.setObject(1, rows.stream().map(p -> p.event().comparisonId()).toArray(String[]::new));
            ps.setObject(2, rows.stream().map(p -> p.event().synthesisA()).toArray(String[]::new));
            ps.setObject(3, rows.stream().map(p -> p.event().synthesisB()).toArray(String[]::new));
            ps.setObject(4, rows.stream().map(p -> p.event().winner().wire()).toArray(String[]::new));
            ps.setObject(5, rows.stream().map(p -> p.event().raterId()).toArray(String[]::new));
            ps.setObject(6, rows.stream().mapToLong(p -> micros(p.event().createdAt())).toArray());
            ps.setObject(7, rows.stream().map(Parsed::fingerprint).toArray(String[]::new));
            ps.setObject(8, rows.stream().mapToInt(p -> p.record().partition()).toArray());
            ps.setObject(9, rows.stream().mapToLong(p -> p.record().offset()).toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        conflicts(c, "comparisons", "comparison_id", rows, p -> p.event().comparisonId(), inserted, dead);
    }

    /** Rows not inserted already existed: a different fingerprint is a conflict for the DLQ, the same one a replay. */
    private static <T> void conflicts(Connection c, String table, String key, List<Parsed<T>> rows,
                                      Function<Parsed<T>, String> id, Set<String> inserted, List<DeadLetter> dead)
            throws SQLException {
        Map<String, Parsed<T>> existing = new HashMap<>();
        for (Parsed<T> p : rows) {
            if (!inserted.contains(id.apply(p))) {
                existing.put(id.apply(p), p);
            }
        }
        if (existing.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + key + ", payload_sha256 FROM " + table + " WHERE " + key + " = ANY(?::text[])")) {
            ps.setObject(1, existing.keySet().toArray(String[]::new));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Parsed<T> p = existing.get(rs.getString(1));
                    if (p == null) {
                        // PostgreSQL gave back another spelling of the id than the one sent (validation
                        // refuses the ids it could alter, such as unpaired surrogates): the row is not this
                        // record's, and failing here would stop the sink on this batch for good.
                        LOG.warn("{} {} came back from PostgreSQL in another spelling; not compared", key, rs.getString(1));
                        continue;
                    }
                    if (!rs.getString(2).equals(p.fingerprint())) {
                        dead.add(deadLetter(p.record(), key + " " + rs.getString(1) + " is stored with another payload"));
                    }
                }
            }
        }
    }

    /**
     * The upserts pass each column as one array; Java arrays (String[], int[], long[]) rather than
     * createArrayOf's boxed ones, whose text encoding (quoting every element, formatting every
     * timestamp) was a tenth of the sink's CPU. Times travel as microseconds since the epoch.
     */
    private static final String FROM_MICROS = "timestamptz 'epoch' + micros * interval '1 microsecond'";

    /** PostgreSQL keeps microseconds; the nanoseconds' rest is rounded, as it rounds a longer fraction. */
    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), (t.getNano() + 500) / 1000);
    }

    static DeadLetter deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
        byte[] key = r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new DeadLetter(r.topic(), r.partition(), r.offset(), key, r.value(), reason, CONSUMER_NAME, Instant.now());
    }

    private static void rewind(Consumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis()); // back-off before retrying a failed batch, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumers.forEach(Consumer::wakeup);
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        try {
            for (Thread t : started) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
