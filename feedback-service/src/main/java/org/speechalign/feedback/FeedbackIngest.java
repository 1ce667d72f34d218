package org.speechalign.feedback;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.Fingerprints;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Topics;

/**
 * Accepts validated ratings and comparisons: claims their ids (409 on a conflicting payload),
 * sends them to Kafka and completes only once Kafka has acknowledged every one of them
 * (acks=all, idempotent producer). Concurrent requests are claimed and sent together by one
 * {@link IngestBatcher} per kind (group commit); nothing here blocks the caller's thread.
 * Plain class: the controller is a thin HTTP layer over it.
 */
final class FeedbackIngest implements AutoCloseable {

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

    private final IngestBatcher ratings;
    private final IngestBatcher comparisons;

    /**
     * @param singleWorkers  groups of one-event requests claimed side by side, per kind (0: they queue with arrays)
     * @param workers        groups of arrays claimed side by side, per kind
     * @param maxGroupEvents most events claimed in one transaction (a larger request is claimed alone)
     * @param linger         how long a group waits for more requests once it has one (0: take what is queued)
     */
    FeedbackIngest(ClaimStore claims, Producer<String, byte[]> producer, Duration ackTimeout, int singleWorkers, int workers,
                   int maxGroupEvents, Duration linger, MeterRegistry meters) {
        this.ratings = new IngestBatcher(claims, ClaimStore.Kind.RATING, producer, singleWorkers, workers, maxGroupEvents,
                linger, ackTimeout, meters);
        this.comparisons = new IngestBatcher(claims, ClaimStore.Kind.COMPARISON, producer, singleWorkers, workers,
                maxGroupEvents, linger, ackTimeout, meters);
    }

    CompletableFuture<Result> ratings(List<Rating> events) {
        return submit(ratings, events, Rating::ratingId, Fingerprints::rating, Rating::raterId,
                r -> new ProducerRecord<>(Topics.RATINGS, r.synthesisId(), Json.write(r)));
    }

    CompletableFuture<Result> comparisons(List<Comparison> events) {
        return submit(comparisons, events, Comparison::comparisonId, Fingerprints::comparison, Comparison::raterId,
                c -> new ProducerRecord<>(Topics.COMPARISONS, c.comparisonId(), Json.write(c)));
    }

    private static <T> CompletableFuture<Result> submit(IngestBatcher batcher, List<T> events, Function<T, String> id,
                                                        Function<T, String> fingerprint, Function<T, String> rater,
                                                        Function<T, ProducerRecord<String, byte[]>> record) {
        // Duplicates inside one request: the same payload twice counts once, another payload is a conflict.
        Map<String, IngestBatcher.Event> unique = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        for (T e : events) {
            String key = id.apply(e);
            String print = fingerprint.apply(e);
            IngestBatcher.Event first = unique.get(key);
            if (first == null) {
                unique.put(key, new IngestBatcher.Event(new ClaimStore.Claim(key, print, rater.apply(e)), record.apply(e)));
            } else if (!first.claim().fingerprint().equals(print)) {
                conflicts.add(key);
            }
        }
        if (!conflicts.isEmpty()) {
            return CompletableFuture.completedFuture(new Conflict(conflicts));
        }
        return batcher.submit(List.copyOf(unique.values()), events.size() - unique.size());
    }

    @Override
    public void close() {
        ratings.close();
        comparisons.close();
    }
}
