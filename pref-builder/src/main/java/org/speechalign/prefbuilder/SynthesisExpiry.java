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
import org.speechalign.contracts.Synthesis;
import org.speechalign.prefbuilder.PairingState.EnrichedSynthesis;

/**
 * Bounds the state of syntheses whose golden utterance never arrives (held back from every rule: it
 * might be a test sentence). Reads the changes of the synthesis-with-golden table: a synthesis naming
 * an utterance that has not arrived is noted in {@link PrefBuilderTopology#SYNTHESES_AWAITING_GOLDEN_STORE}
 * (and forgotten there once its golden record comes). Every {@link PrefBuilderTopology#EXPIRY_INTERVAL}
 * of wall-clock time a sweep falls due and runs with the next change this task processes (the next
 * synthesis, or golden record, of its partition: the watermark only moves with input anyway); a
 * synthesis whose created_at lies more than the grace period behind the partition's watermark then
 * expires: counted ({@code Counters.expired}), written to the syntheses' {@code .dlq} with a reason
 * starting {@code expired:} (the synthesis as JSON), and deleted from the syntheses table's store and
 * the synthesis-with-golden store. A golden record arriving after that pairs nothing (the join's
 * response finds no synthesis); a re-delivery of the synthesis is late (its DLQ), like any input that
 * far behind.
 *
 * <p>Why the sweep runs with a record and not in the punctuation: the syntheses store's cache forwards
 * the deletion into the foreign-key join when the task commits, and a deletion made in a punctuation
 * carries no source partition (-1), which the join's response routing refuses ("Invalid partition:
 * -1", seen in the test). The synthesis-with-golden row is deleted here directly as well, because in
 * TopologyTestDriver the forwarded deletion had not reached it; whether the join's subscription entry
 * on the golden side (ids and a hash) goes too is not verified.
 */
final class SynthesisExpiry implements Processor<String, EnrichedSynthesis, String, DeadLetter> {

    private final Duration grace;
    private final Counters counters;
    private final String synthesisTopic;
    private ProcessorContext<String, DeadLetter> context;
    private KeyValueStore<String, Long> awaiting;
    private TimestampedKeyValueStore<String, Synthesis> syntheses;
    private TimestampedKeyValueStore<String, EnrichedSynthesis> enriched;
    private KeyValueStore<String, Long> watermark;
    /** Set by the wall-clock check; the sweep itself runs with the next record (see the class comment). */
    private boolean due;

    SynthesisExpiry(Duration grace, Counters counters, String synthesisTopic) {
        this.grace = grace;
        this.counters = counters;
        this.synthesisTopic = synthesisTopic;
    }

    @Override
    public void init(ProcessorContext<String, DeadLetter> context) {
        this.context = context;
        this.awaiting = context.getStateStore(PrefBuilderTopology.SYNTHESES_AWAITING_GOLDEN_STORE);
        this.syntheses = context.getStateStore(PrefBuilderTopology.SYNTHESES_STORE);
        this.enriched = context.getStateStore(PrefBuilderTopology.ENRICHED_STORE);
        this.watermark = context.getStateStore(PrefBuilderTopology.WATERMARK_STORE);
        context.schedule(PrefBuilderTopology.EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> due = true);
    }

    @Override
    public void process(Record<String, EnrichedSynthesis> record) {
        if (due) {
            due = false;
            expire();
        }
        EnrichedSynthesis e = record.value();
        if (e != null && e.golden() == null && e.synthesis().utteranceId() != null) {
            awaiting.put(record.key(), e.synthesis().createdAt().toEpochMilli());
        } else {
            awaiting.delete(record.key());
        }
    }

    /** Expires the syntheses that waited for their golden utterance longer than the grace period behind the watermark. */
    void expire() {
        Long newest = watermark.get(Validator.WATERMARK_KEY);
        if (newest == null) {
            return;
        }
        long cutoff = newest - grace.toMillis();
        List<KeyValue<String, Long>> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = awaiting.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> e = it.next();
                if (e.value < cutoff) {
                    due.add(e);
                }
            }
        }
        long now = context.currentSystemTimeMs();
        for (KeyValue<String, Long> e : due) {
            awaiting.delete(e.key);
            ValueAndTimestamp<Synthesis> vt = syntheses.delete(e.key);
            enriched.delete(e.key);
            if (vt == null) {
                continue;
            }
            Synthesis s = vt.value();
            counters.expired.incrementAndGet();
            context.forward(Expiries.deadLetter(synthesisTopic, e.key, Json.write(s),
                    "golden utterance " + s.utteranceId() + " did not arrive within the grace period " + grace
                            + " of the synthesis (created_at " + s.createdAt() + "; partition watermark " + Instant.ofEpochMilli(newest)
                            + "); the value is the synthesis", now));
        }
    }
}
