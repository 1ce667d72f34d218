package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.CodecSpec;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.prefbuilder.PairingState.EnrichedSynthesis;

class EnrichedSynthesisSerdeTest {

    static final EnrichedSynthesisSerde SERDE = new EnrichedSynthesisSerde();

    /** Round trip, compared through the JSON form (records with arrays do not compare arrays by content). */
    private static void assertRoundTrip(EnrichedSynthesis e) {
        byte[] bytes = SERDE.serializer().serialize("t", e);
        assertEquals(EnrichedSynthesisSerde.VERSION, bytes[0]);
        assertArrayEquals(Json.write(e), Json.write(SERDE.deserializer().deserialize("t", bytes)));
    }

    @Test
    void roundTripsEveryFieldAndReadsTheEarlierJsonFormat() {
        GoldenUtterance g = new GoldenUtterance("u1", "héllo wörld", "slt",
                List.of(new PhoneFrames("pau", 3), new PhoneFrames("hh", null)),
                PairingBench.tokens(5), new CodecSpec("codec2", "3200"), GoldenUtterance.Split.TRAIN, "v1");
        Synthesis s = new Synthesis("s1", Synthesis.Origin.PRODUCT, "u1", "héllo wörld", "slt",
                List.of(new PhoneFrames("pau", 4)), new int[][] {{1, 2, 3}, {}, {-7}}, "m1",
                new Synthesis.Sampling(0.8, 50, null, 42L), Instant.parse("2026-03-01T12:00:00.123456789Z"));
        EnrichedSynthesis e = new EnrichedSynthesis(s, g);
        assertRoundTrip(e);
        // nullable fields: no golden (yet), no utterance, no sampling, sampling fields unset
        assertRoundTrip(new EnrichedSynthesis(new Synthesis("s2", Synthesis.Origin.SELF_PLAY, null, "t", "rms", List.of(),
                new int[0][], "m2", null, Instant.EPOCH), null));
        assertRoundTrip(new EnrichedSynthesis(new Synthesis("s3", Synthesis.Origin.SELF_PLAY, "u9", "t", "rms", List.of(),
                PairingBench.tokens(1), "m2", new Synthesis.Sampling(null, null, 0.9, null), Instant.EPOCH),
                new GoldenUtterance("u9", "t", "rms", List.of(), PairingBench.tokens(2), null, GoldenUtterance.Split.TEST, null)));
        // state written by earlier versions (JSON) still restores
        byte[] json = JsonSerde.of(EnrichedSynthesis.class).serializer().serialize("t", e);
        assertArrayEquals(Json.write(e), Json.write(SERDE.deserializer().deserialize("t", json)));
        assertNull(SERDE.deserializer().deserialize("t", null));
        byte[] truncated = java.util.Arrays.copyOf(SERDE.serializer().serialize("t", e), 40);
        assertThrows(SerializationException.class, () -> SERDE.deserializer().deserialize("t", truncated));
    }
}
