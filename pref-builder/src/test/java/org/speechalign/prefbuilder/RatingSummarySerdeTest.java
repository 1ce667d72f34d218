package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.speechalign.prefbuilder.PairingState.RaterScore;
import org.speechalign.prefbuilder.PairingState.RatingSummary;

class RatingSummarySerdeTest {

    static final RatingSummarySerde SERDE = new RatingSummarySerde();

    @Test
    void roundTripsAndReadsTheEarlierJsonFormat() {
        RatingSummary s = RatingSummary.empty()
                .add("rater-ä", new RaterScore("r1", 4, Instant.parse("2026-03-01T12:00:00.123456789Z")))
                .add("rater-b", new RaterScore("r2", 1, null));
        byte[] bytes = SERDE.serializer().serialize("t", s);
        assertEquals(RatingSummarySerde.VERSION, bytes[0]);
        assertEquals(s, SERDE.deserializer().deserialize("t", bytes));
        assertEquals(RatingSummary.empty(), SERDE.deserializer().deserialize("t", SERDE.serializer().serialize("t", RatingSummary.empty())));
        // state written by earlier versions (JSON) still restores
        byte[] json = JsonSerde.of(RatingSummary.class).serializer().serialize("t", s);
        assertEquals(s, SERDE.deserializer().deserialize("t", json));
        assertNull(SERDE.deserializer().deserialize("t", null));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(SerializationException.class, () -> SERDE.deserializer().deserialize("t", truncated));
    }
}
