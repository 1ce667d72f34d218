package org.speechalign.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.Fingerprints;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Topics;

/**
 * Accepts validated ratings and comparisons: claims their ids (409 on a conflicting payload),
 * sends them to Kafka and returns only once Kafka has acknowledged every one of them
 * (acks=all, idempotent producer). Plain class: the controller is a thin HTTP layer over it.
 */
final class FeedbackIngest {

    sealed interface Result permits Accepted, Conflict, Unavailable {
    }

    /** Every event is durable in Kafka; {@code duplicates} had been accepted before. */
    record Accepted(int accepted, int duplicates) implements Result {
    }

    /** These ids were accepted before with another payload; nothing was written. */
    record Conflict(List<String> ids) implements Result {
    }

    /** Kafka or PostgreSQL did not answer in time; the client should retry the same payload. */
    record Unavailable(String reason) implements Result {
    }

    private final ClaimStore claims;
    private final Producer<String, byte[]> producer;
    private final Duration ackTimeout;
    private final Counter acceptedRatings;
    private final Counter acceptedComparisons;
    private final Counter duplicateEvents;
    private final Timer ackLatency;

    FeedbackIngest(ClaimStore claims, Producer<String, byte[]> producer, Duration ackTimeout, MeterRegistry meters) {
        this.claims = claims;
        this.producer = producer;
        this.ackTimeout = ackTimeout;
        this.acceptedRatings = Counter.builder("feedback.events.accepted").tag("kind", "rating")
                .description("events acknowledged by Kafka, by kind (duplicates excluded)").register(meters);
        this.acceptedComparisons = Counter.builder("feedback.events.accepted").tag("kind", "comparison")
                .description("events acknowledged by Kafka, by kind (duplicates excluded)").register(meters);
        this.duplicateEvents = Counter.builder("feedback.events.duplicate")
                .description("events whose id was accepted before with the same payload").register(meters);
        this.ackLatency = Timer.builder("feedback.kafka.ack").description("time from send to Kafka acknowledgement")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    Result ratings(List<Rating> ratings) {
        return ingest(ratings, ClaimStore.Kind.RATING, Rating::ratingId, Fingerprints::rating, Rating::raterId,
                r -> new ProducerRecord<>(Topics.RATINGS, r.synthesisId(), Json.write(r)), acceptedRatings);
    }

    Result comparisons(List<Comparison> comparisons) {
        return ingest(comparisons, ClaimStore.Kind.COMPARISON, Comparison::comparisonId, Fingerprints::comparison,
                Comparison::raterId, c -> new ProducerRecord<>(Topics.COMPARISONS, c.comparisonId(), Json.write(c)),
                acceptedComparisons);
    }

    private <T> Result ingest(List<T> events, ClaimStore.Kind kind, Function<T, String> id, Function<T, String> fingerprint,
                              Function<T, String> rater, Function<T, ProducerRecord<String, byte[]>> record, Counter accepted) {
        // Duplicates inside one request: the same payload twice counts once, another payload is a conflict.
        Map<String, T> unique = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        for (T e : events) {
            T first = unique.putIfAbsent(id.apply(e), e);
            if (first != null && !fingerprint.apply(first).equals(fingerprint.apply(e))) {
                conflicts.add(id.apply(e));
            }
        }
        if (!conflicts.isEmpty()) {
            return new Conflict(conflicts);
        }
        int inRequestDuplicates = events.size() - unique.size();
        ClaimStore.Outcome outcome;
        try {
            outcome = claims.claim(kind, unique.values().stream()
                    .map(e -> new ClaimStore.Claim(id.apply(e), fingerprint.apply(e), rater.apply(e))).toList());
        } catch (SQLException e) {
            return new Unavailable("PostgreSQL: " + e.getMessage());
        }
        if (!outcome.conflicts().isEmpty()) {
            return new Conflict(outcome.conflicts());
        }
        // Send everything not already stored: a duplicate whose first send never reached Kafka
        // (crash, timeout) is sent again; the sink's upsert keeps one row either way.
        long start = System.nanoTime();
        List<Future<RecordMetadata>> acks = new ArrayList<>(unique.size());
        for (T e : unique.values()) {
            if (!outcome.alreadyStored().contains(id.apply(e))) {
                acks.add(producer.send(record.apply(e)));
            }
        }
        long deadline = start + ackTimeout.toNanos();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            return new Unavailable("Kafka: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            return new Unavailable("Kafka did not acknowledge within " + ackTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unavailable("interrupted");
        }
        ackLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        int duplicates = outcome.duplicates().size() + inRequestDuplicates;
        accepted.increment(unique.size() - outcome.duplicates().size());
        duplicateEvents.increment(duplicates);
        return new Accepted(events.size() - duplicates, duplicates);
    }
}
