package org.speechalign.prefbuilder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;
import org.speechalign.contracts.DeadLetter;

/** The dead letter {@link RatingExpiry} and {@link SynthesisExpiry} write for what they expire. */
final class Expiries {

    private Expiries() {}

    /** An {@code expired:} record for {@code topic}'s DLQ, keyed by {@code key}; {@code value} may be null. */
    static Record<String, DeadLetter> deadLetter(String topic, String key, byte[] value, String reason, long now) {
        DeadLetter d = new DeadLetter(topic, null, null, key.getBytes(StandardCharsets.UTF_8), value, "expired: " + reason,
                "pref-builder", Instant.ofEpochMilli(now));
        return new Record<>(key, d, now);
    }
}
