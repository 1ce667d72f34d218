package org.speechalign.prefbuilder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What pref-builder counted since start (per instance, in memory; the DLQ topics hold the records
 * themselves). Exposed by {@link PrefBuilderApp#counters()} and logged at shutdown.
 */
public final class Counters {
    /** Inputs sent to their {@code .dlq} because they failed validation or conflicted with an earlier id. */
    public final AtomicLong invalid = new AtomicLong();
    /** Inputs older than the grace period: sent to their {@code .dlq} with reason {@code late: …}. */
    public final AtomicLong late = new AtomicLong();
    /**
     * Waiting state dropped after the grace period, each sent to its input's {@code .dlq} with reason
     * {@code expired: …}: rating summaries whose synthesis never arrived, syntheses whose golden
     * utterance never arrived.
     */
    public final AtomicLong expired = new AtomicLong();
    /** First-wins ids (synthesis, rating, comparison) deleted from state once their created_at lay more than the grace period behind the watermark (a re-delivery is then late). */
    public final AtomicLong forgotten = new AtomicLong();
    /** Exact re-deliveries of an id already accepted (dropped: the first accepted version wins). */
    public final AtomicLong duplicates = new AtomicLong();
    /** Comparisons with winner tie (dropped: a tie says nothing about preference). */
    public final AtomicLong ties = new AtomicLong();
    /** Rows the sink upserted (all tables; a replayed row counts again, changes nothing). */
    public final AtomicLong sinkRows = new AtomicLong();
    /** Training batches this instance created. */
    public final AtomicLong batchesCreated = new AtomicLong();
    /** training-batches events this instance published. */
    public final AtomicLong batchesAnnounced = new AtomicLong();

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        m.put("invalid", invalid.get());
        m.put("late", late.get());
        m.put("expired", expired.get());
        m.put("duplicates", duplicates.get());
        m.put("forgotten", forgotten.get());
        m.put("ties", ties.get());
        m.put("sink_rows", sinkRows.get());
        m.put("batches_created", batchesCreated.get());
        m.put("batches_announced", batchesAnnounced.get());
        return m;
    }
}
