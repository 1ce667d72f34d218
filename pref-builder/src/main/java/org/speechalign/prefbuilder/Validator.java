package org.speechalign.prefbuilder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.speechalign.contracts.DeadLetter;
import org.speechalign.contracts.InvalidEvent;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Validation;

/**
 * The first step of every input: read the bytes strictly, validate the event, check the record
 * key, drop exact re-deliveries, refuse a known id with another payload, and refuse late input.
 * Anything refused becomes a {@link DeadLetter} (original bytes and the reason) for the input's
 * {@code .dlq}; processing goes on.
 *
 * <p>Lateness: each partition keeps the newest {@code created_at} it has accepted (a watermark, in
 * a changelogged store, so it survives restarts). An input whose {@code created_at} lies more than
 * the grace period behind it is late. Ratings and syntheses share one watermark (they are
 * co-partitioned by synthesis_id), so a synthesis arriving long after its ratings is late too.
 *
 * <p>First-wins ids are forgotten after the grace period: beside the id → hash store, an index keyed
 * by created_at and id ({@link #timeIndex}) lets a wall-clock sweep every {@link
 * PrefBuilderTopology#EXPIRY_INTERVAL} delete the ids whose created_at lies more than the grace period
 * behind the watermark (counted in {@code Counters.forgotten}). Nothing is lost by that: any
 * re-delivery of such an event carries the same created_at and is late, so it goes to the DLQ instead
 * of being paired again (and a pair that did come twice is one row: the PostgreSQL upsert on pair_id).
 */
final class Validator<T> implements FixedKeyProcessor<String, byte[], Checked<T>> {

    static final String WATERMARK_KEY = "max_created_at";

    /**
     * How to check one input.
     *
     * @param consumer       name written into dead letters
     * @param type           the event record
     * @param idField        the JSON field that must equal the record key
     * @param id             reads that field
     * @param eventIdField   the event's own id field (first accepted version wins)
     * @param eventId        reads that field
     * @param eventTime      reads created_at (null: the input has no lateness check)
     * @param tombstones     whether a null value is a deletion (compacted topics) rather than an error
     * @param firstWinsStore store of id → payload hash (null: latest version wins, as for the golden corpus)
     * @param watermarkStore store of the partition's newest created_at (null: no lateness check)
     */
    record Spec<T>(String consumer, Class<T> type, String idField, Function<T, String> id,
                   String eventIdField, Function<T, String> eventId, Function<T, Instant> eventTime, boolean tombstones, String firstWinsStore, String watermarkStore) {

        /** Whether first-wins ids are forgotten after the grace period (they have an event time and a watermark). */
        boolean forgets() {
            return firstWinsStore != null && watermarkStore != null && eventTime != null;
        }
    }

    private final Spec<T> spec;
    private final Duration grace;
    private final Counters counters;
    private FixedKeyProcessorContext<String, Checked<T>> context;
    private KeyValueStore<String, String> seen;
    /** created_at (19 digits) + "|" + id → nothing: the first-wins ids in time order, for the sweep. */
    private KeyValueStore<String, String> seenByTime;
    private KeyValueStore<String, Long> watermark;

    Validator(Spec<T> spec, Duration grace, Counters counters) {
        this.spec = spec;
        this.grace = grace;
        this.counters = counters;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Checked<T>> context) {
        this.context = context;
        this.seen = spec.firstWinsStore() == null ? null : context.getStateStore(spec.firstWinsStore());
        this.watermark = spec.watermarkStore() == null ? null : context.getStateStore(spec.watermarkStore());
        if (spec.forgets()) {
            this.seenByTime = context.getStateStore(timeIndex(spec.firstWinsStore()));
            context.schedule(PrefBuilderTopology.EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forget());
        }
    }

    /** The name of a first-wins store's time index. */
    static String timeIndex(String firstWinsStore) {
        return firstWinsStore + "-by-time";
    }

    static String timeKey(long createdAtMillis, String id) {
        return String.format("%019d|%s", Math.max(0, createdAtMillis), id);
    }

    /** Deletes the first-wins ids whose created_at lies more than the grace period behind the watermark. */
    void forget() {
        Long newest = watermark.get(WATERMARK_KEY);
        if (newest == null) {
            return;
        }
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = seenByTime.range(timeKey(0, ""), timeKey(newest - grace.toMillis(), ""))) {
            while (it.hasNext()) {
                due.add(it.next().key);
            }
        }
        for (String k : due) {
            seenByTime.delete(k);
            seen.delete(k.substring(k.indexOf('|') + 1));
            counters.forgotten.incrementAndGet();
        }
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String key = record.key();
        byte[] bytes = record.value();
        if (bytes == null && spec.tombstones() && key != null) {
            context.forward(record.withValue(Checked.deleted()));
            return;
        }
        if (key == null) {
            reject(record, "(key): record key is required (the event's " + spec.idField() + ")");
            return;
        }
        T event;
        try {
            event = Validation.readValid(bytes, spec.type());
        } catch (InvalidEvent e) {
            reject(record, e.getMessage());
            return;
        }
        String id = spec.id().apply(event);
        if (!key.equals(id)) {
            reject(record, "(key): record key '" + key + "' must equal " + spec.idField() + " '" + id + "'");
            return;
        }
        String hash = null;
        String eventId = spec.eventId().apply(event);
        if (seen != null) {
            hash = sha256(Json.write(event));
            String first = seen.get(eventId);
            if (hash.equals(first)) {
                counters.duplicates.incrementAndGet();
                return;
            }
            if (first != null) {
                reject(record, spec.eventIdField() + ": '" + eventId + "' was already accepted with a different payload; the first accepted version wins");
                return;
            }
        }
        Instant at = spec.eventTime() == null ? null : spec.eventTime().apply(event);
        if (watermark != null && at != null) {
            Long newest = watermark.get(WATERMARK_KEY);
            if (newest != null && at.toEpochMilli() < newest - grace.toMillis()) {
                counters.late.incrementAndGet();
                deadLetter(record, "late: created_at " + at + " is more than the grace period " + grace
                        + " behind the newest created_at seen on this partition (" + Instant.ofEpochMilli(newest) + ")");
                return;
            }
            if (newest == null || at.toEpochMilli() > newest) {
                watermark.put(WATERMARK_KEY, at.toEpochMilli());
            }
        }
        if (seen != null) {
            seen.put(eventId, hash);
            if (seenByTime != null && at != null) {
                seenByTime.put(timeKey(at.toEpochMilli(), eventId), "");
            }
        }
        context.forward(record.withValue(Checked.ok(event)));
    }

    private void reject(FixedKeyRecord<String, byte[]> record, String reason) {
        counters.invalid.incrementAndGet();
        deadLetter(record, reason);
    }

    private void deadLetter(FixedKeyRecord<String, byte[]> record, String reason) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        DeadLetter d = new DeadLetter(meta == null ? null : meta.topic(), meta == null ? null : meta.partition(),
                meta == null ? null : meta.offset(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(), reason,
                spec.consumer(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(record.withValue(Checked.rejected(d)));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
