package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.speechalign.prefbuilder.PairingState.RankMember;
import org.speechalign.prefbuilder.PairingState.TextGroup;

class TextGroupSerdeTest {

    static final TextGroupSerde SERDE = new TextGroupSerde();

    @Test
    void roundTripsAndReadsTheEarlierJsonFormat() {
        TextGroup g = TextGroup.empty()
                .put(new RankMember("s1", 4.5, 3, Instant.parse("2026-03-01T12:00:00.123456789Z"), null), 64)
                .put(new RankMember("s2", Double.NaN, 1, Instant.parse("2026-03-01T12:00:01Z"), Instant.parse("2026-03-01T13:00:00Z")), 64);
        byte[] bytes = SERDE.serializer().serialize("t", g);
        assertEquals(TextGroupSerde.VERSION, bytes[0]);
        assertEquals(g, SERDE.deserializer().deserialize("t", bytes));
        TextGroup removed = g.remove(g.members().get("s1"));
        assertEquals(removed, SERDE.deserializer().deserialize("t", SERDE.serializer().serialize("t", removed)));
        // state written by earlier versions (JSON) still restores
        byte[] json = JsonSerde.of(TextGroup.class).serializer().serialize("t", g);
        assertEquals(g, SERDE.deserializer().deserialize("t", json));
        assertNull(SERDE.deserializer().deserialize("t", null));
    }
}
