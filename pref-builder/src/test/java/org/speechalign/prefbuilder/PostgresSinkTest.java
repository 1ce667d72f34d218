package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Preference;
import org.speechalign.contracts.Synthesis;
import org.speechalign.migrations.Migrations;

/**
 * The sink's writes against the embedded PostgreSQL: every column arrives as the event says (NULLs,
 * token matrices in the binary array format and as text, jsonb, timestamps to the microsecond), a
 * replayed poll changes nothing and the first version of a row wins.
 */
class PostgresSinkTest {

    @Test
    void writesEveryColumnAndAReplayChangesNothing() throws Exception {
        try (Harness h = new Harness("sink")) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setUrl(h.jdbcUrl);
            ds.setUser(h.rt.postgres().user());
            Migrations.migrate(ds);
            GoldenUtterance g = Events.golden("u1", "hello there", GoldenUtterance.Split.TRAIN);
            Instant at = Instant.parse("2026-03-01T12:00:00.123456789Z");
            Synthesis selfPlay = Events.selfPlay("s1", g, at); // top_p NULL
            Synthesis product = Events.product("s2", null, "hello there", "v2", at); // top_k NULL, no utterance
            Preference golden = Pairs.goldenVsSynthetic(new PairingState.EnrichedSynthesis(selfPlay, g));
            Preference comparison = new Preference(
                    Preference.pairIdOf(Preference.Source.COMPARISON, new Preference.Side(null, "s1", null), new Preference.Side(null, "s2", null)),
                    Preference.Source.COMPARISON, null, "hello there", "slt", List.of(new PhoneFrames("pau", 1)),
                    new Preference.Side(new int[][] {{1, 2, 3}, {4, 5, 6}, {-7, 511, 0}}, "s1", null),
                    new Preference.Side(new int[][] {{}, {}}, "s2", null), "v2", at);

            PostgresSink sink = new PostgresSink(h.topics);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            records.add(record(h.topics.synthesis(), "s1", Json.write(selfPlay), null));
            records.add(record(h.topics.synthesis(), "s2", Json.write(product), null));
            records.add(record(h.topics.preferences(), golden.pairId(), Json.write(golden), null));
            records.add(record(h.topics.preferences(), comparison.pairId(), Json.write(comparison), "c-42"));
            try (Connection c = PostgresSink.connect(h.config("i1", PairingPolicy.DEFAULTS, BatchPolicy.DEFAULTS))) {
                assertEquals(4, sink.write(c, polled(records)));
                List<String> pairs = h.dump("preference_pairs", "pair_id");
                List<String> syntheses = h.dump("syntheses", "synthesis_id");

                // a replayed poll, and later versions of the same ids (first version wins), in the same session
                Synthesis changed = new Synthesis("s1", Synthesis.Origin.PRODUCT, null, "other", "rms", List.of(), Events.tokens(9),
                        "v9", null, at.plusSeconds(5));
                sink.write(c, polled(records));
                sink.write(c, polled(List.of(record(h.topics.synthesis(), "s1", Json.write(changed), null))));
                assertEquals(pairs, h.dump("preference_pairs", "pair_id"));
                assertEquals(syntheses, h.dump("syntheses", "synthesis_id"));
            }

            try (Connection c = h.db(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT source, utterance_id, text, speaker, phones::text, chosen_tokens, chosen_synthesis_id,"
                        + " chosen_utterance_id, rejected_tokens, rejected_synthesis_id, rejected_utterance_id, rejected_model_version,"
                        + " comparison_id, created_at = '2026-03-01T12:00:00.123457Z', cardinality(rejected_tokens)"
                        + " FROM preference_pairs WHERE pair_id = '" + comparison.pairId() + "'")) {
                    rs.next();
                    assertEquals("comparison", rs.getString(1));
                    assertNull(rs.getString(2));
                    assertEquals("hello there", rs.getString(3));
                    assertEquals("slt", rs.getString(4));
                    assertEquals("[{\"frames\": 1, \"symbol\": \"pau\"}]", rs.getString(5));
                    assertArrayEquals(new Integer[][] {{1, 2, 3}, {4, 5, 6}, {-7, 511, 0}}, (Integer[][]) rs.getArray(6).getArray());
                    assertEquals("s1", rs.getString(7));
                    assertNull(rs.getString(8));
                    assertEquals("s2", rs.getString(10));
                    assertNull(rs.getString(11));
                    assertEquals("v2", rs.getString(12));
                    assertEquals("c-42", rs.getString(13));
                    assertEquals(true, rs.getBoolean(14), "created_at rounded to the microsecond");
                    assertEquals(0, rs.getInt(15), "codebooks of no frames: the empty array");
                }
                try (ResultSet rs = s.executeQuery("SELECT chosen_tokens = '" + Sql.intArray(g.tokens()) + "', rejected_tokens = '"
                        + Sql.intArray(selfPlay.tokens()) + "', comparison_id, chosen_utterance_id FROM preference_pairs WHERE pair_id = '"
                        + golden.pairId() + "'")) {
                    rs.next();
                    assertEquals(true, rs.getBoolean(1));
                    assertEquals(true, rs.getBoolean(2));
                    assertNull(rs.getString(3));
                    assertEquals("u1", rs.getString(4));
                }
                try (ResultSet rs = s.executeQuery("SELECT synthesis_id, origin, utterance_id, model_version, temperature, top_k, top_p, seed,"
                        + " tokens = '" + Sql.intArray(product.tokens()) + "' FROM syntheses ORDER BY synthesis_id")) {
                    rs.next();
                    assertEquals("s1", rs.getString(1));
                    assertEquals("self_play", rs.getString(2));
                    assertEquals("u1", rs.getString(3));
                    assertEquals(1.0, rs.getDouble(5));
                    assertEquals(50, rs.getInt(6));
                    assertNull(rs.getObject(7));
                    assertEquals(7L, rs.getLong(8));
                    rs.next();
                    assertEquals("s2", rs.getString(1));
                    assertEquals("product", rs.getString(2));
                    assertNull(rs.getString(3));
                    assertEquals("v2", rs.getString(4));
                    assertNull(rs.getObject(6));
                    assertEquals(0.9, rs.getDouble(7));
                    assertEquals(11L, rs.getLong(8));
                    assertEquals(true, rs.getBoolean(9));
                }
            }
        }
    }

    private static ConsumerRecord<String, byte[]> record(String topic, String key, byte[] value, String comparisonId) {
        RecordHeaders headers = new RecordHeaders();
        if (comparisonId != null) {
            headers.add(new RecordHeader(PrefBuilderTopology.COMPARISON_ID_HEADER, comparisonId.getBytes(StandardCharsets.UTF_8)));
        }
        return new ConsumerRecord<>(topic, 0, 0, 0L, TimestampType.CREATE_TIME, 0, value.length, key, value, headers,
                java.util.Optional.empty());
    }

    private static ConsumerRecords<String, byte[]> polled(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new java.util.LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r);
        }
        return new ConsumerRecords<>(byPartition, Map.<TopicPartition, OffsetAndMetadata>of());
    }
}
