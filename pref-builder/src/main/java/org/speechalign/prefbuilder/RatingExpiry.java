package org.speechalign.prefbuilder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.speechalign.contracts.DeadLetter;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Synthesis;
import org.speechalign.prefbuilder.PairingState.RatingSummary;

/**
 * Bounds the state of ratings whose synthesis never arrives. Runs beside the ratings aggregate
 * ({@link PrefBuilderTopology#RATINGS_STORE}): a synthesis id with ratings but no synthesis is kept in
 * {@link PrefBuilderTopology#PENDING_RATINGS_STORE}; every {@link PrefBuilderTopology#EXPIRY_INTERVAL} of wall-clock
 * time, a pending summary whose newest rating lies more than the grace period behind the
 * partition's watermark (the newest created_at accepted on it, shared with the syntheses) expires:
 * it is counted ({@code Counters.expired}), written to the ratings' {@code .dlq} with a reason
 * starting {@code expired:} (the summary as JSON, so nothing is silently lost), and deleted from
 * the aggregate's store (its cache forwards the deletion to the join, which had nothing to join it with). A synthesis arriving after that is late by the same rule.
 */
final class RatingExpiry implements Processor<String, Rating, String, DeadLetter> {

    private final Duration grace;
    private final Counters counters;
    private final String ratingsTopic;
    private ProcessorContext<String, DeadLetter> context;
    /** The DSL aggregate's store (timestamped): this processor only deletes expired entries from it. */
    private TimestampedKeyValueStore<String, RatingSummary> summaries;
    private KeyValueStore<String, Long> pending;
    /** Accepted synthesis ids (the syntheses' first-wins store: a short hash per id, cheap to look up; ids older than the grace period are forgotten there). */
    private KeyValueStore<String, String> syntheses;
    /** The syntheses table: asked only when the first-wins store no longer knows the id. */
    private TimestampedKeyValueStore<String, Synthesis> synthesisTable;
    private KeyValueStore<String, Long> watermark;

    RatingExpiry(Duration grace, Counters counters, String ratingsTopic) {
        this.grace = grace;
        this.counters = counters;
        this.ratingsTopic = ratingsTopic;
    }

    @Override
    public void init(ProcessorContext<String, DeadLetter> context) {
        this.context = context;
        this.summaries = context.getStateStore(PrefBuilderTopology.RATINGS_STORE);
        this.pending = context.getStateStore(PrefBuilderTopology.PENDING_RATINGS_STORE);
        this.syntheses = context.getStateStore(PrefBuilderTopology.SEEN_SYNTHESES_STORE);
        this.synthesisTable = context.getStateStore(PrefBuilderTopology.SYNTHESES_STORE);
        this.watermark = context.getStateStore(PrefBuilderTopology.WATERMARK_STORE);
        context.schedule(PrefBuilderTopology.EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> expire());
    }

    @Override
    public void process(Record<String, Rating> record) {
        // Runs beside the aggregate (which keeps the summaries): only notes ratings whose synthesis is not here.
        String synthesisId = record.key();
        if (!arrived(synthesisId)) {
            Instant at = record.value().createdAt();
            long t = at == null ? Long.MIN_VALUE : at.toEpochMilli();
            Long before = pending.get(synthesisId);
            if (before == null || t > before) {
                pending.put(synthesisId, t);
            }
        }
    }

    /** Whether the synthesis is here: its id in the first-wins store, or (older than the grace period) its row in the syntheses table. */
    private boolean arrived(String synthesisId) {
        return syntheses.get(synthesisId) != null || synthesisTable.get(synthesisId) != null;
    }

    /** Expires pending summaries older than the grace period behind the watermark. */
    void expire() {
        Long newest = watermark.get(Validator.WATERMARK_KEY);
        if (newest == null) {
            return;
        }
        long cutoff = newest - grace.toMillis();
        List<KeyValue<String, Long>> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> e = it.next();
                if (arrived(e.key)) {
                    due.add(KeyValue.pair(e.key, null)); // its synthesis came: no longer pending
                } else if (e.value < cutoff) {
                    due.add(e);
                }
            }
        }
        long now = context.currentSystemTimeMs();
        for (KeyValue<String, Long> e : due) {
            pending.delete(e.key);
            if (e.value == null) {
                continue;
            }
            ValueAndTimestamp<RatingSummary> vt = summaries.delete(e.key);
            RatingSummary s = vt == null ? null : vt.value();
            counters.expired.incrementAndGet();
            context.forward(Expiries.deadLetter(ratingsTopic, e.key, s == null ? null : Json.write(s),
                    "no synthesis " + e.key + " arrived within the grace period " + grace + " of its newest rating ("
                            + Instant.ofEpochMilli(e.value) + "; partition watermark " + Instant.ofEpochMilli(newest)
                            + "); the value is the rating summary (rating ids, raters, scores)", now));
        }
    }
}
