package org.speechalign.prefbuilder;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.InvalidEvent;
import org.speechalign.contracts.Preference;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Validation;

/**
 * Writes what pref-builder consumes and produces into PostgreSQL, idempotently and in batches:
 * one database transaction per poll, then the Kafka offsets. A crash between the two replays the
 * poll, which changes nothing:
 * <ul>
 *   <li>{@code preference_pairs}: {@code INSERT … ON CONFLICT (pair_id) DO NOTHING} (the first version
 *       wins, and {@code batch_id} set by a batch is never touched again);</li>
 *   <li>{@code syntheses}: {@code ON CONFLICT (synthesis_id) DO NOTHING} (first accepted version wins,
 *       as in the topology; conflicting versions are on the DLQ);</li>
 *   <li>{@code golden_utterances}: {@code ON CONFLICT (utterance_id) DO UPDATE … WHERE} the row differs
 *       (the corpus topic is compacted: the latest version wins; a tombstone deletes the row).</li>
 * </ul>
 */
final class PostgresSink {

    static final String UPSERT_PAIR = """
            INSERT INTO preference_pairs (pair_id, source, utterance_id, text, speaker, phones, chosen_tokens,
                chosen_synthesis_id, chosen_utterance_id, rejected_tokens, rejected_synthesis_id, rejected_utterance_id,
                rejected_model_version, comparison_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::integer[], ?, ?, ?::integer[], ?, ?, ?, ?, ?)
            ON CONFLICT (pair_id) DO NOTHING""";

    static final String UPSERT_SYNTHESIS = """
            INSERT INTO syntheses (synthesis_id, origin, utterance_id, text, speaker, phones, tokens, model_version,
                temperature, top_k, top_p, seed, created_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::integer[], ?, ?, ?, ?, ?, ?)
            ON CONFLICT (synthesis_id) DO NOTHING""";

    static final String UPSERT_GOLDEN = """
            INSERT INTO golden_utterances AS g (utterance_id, text, speaker, phones, tokens, codec_name, codec_mode,
                split, corpus_version)
            VALUES (?, ?, ?, ?::jsonb, ?::integer[], ?, ?, ?, ?)
            ON CONFLICT (utterance_id) DO UPDATE SET text = EXCLUDED.text, speaker = EXCLUDED.speaker,
                phones = EXCLUDED.phones, tokens = EXCLUDED.tokens, codec_name = EXCLUDED.codec_name,
                codec_mode = EXCLUDED.codec_mode, split = EXCLUDED.split, corpus_version = EXCLUDED.corpus_version
            WHERE (g.text, g.speaker, g.phones, g.tokens, g.codec_name, g.codec_mode, g.split, g.corpus_version)
                IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.speaker, EXCLUDED.phones, EXCLUDED.tokens,
                EXCLUDED.codec_name, EXCLUDED.codec_mode, EXCLUDED.split, EXCLUDED.corpus_version)""";

    static final String DELETE_GOLDEN = "DELETE FROM golden_utterances WHERE utterance_id = ?";

    private final PrefTopics topics;
    /** Nanoseconds the last {@link #write} spent reading and validating the records (the rest was PostgreSQL). */
    long lastReadNanos;

    PostgresSink(PrefTopics topics) {
        this.topics = topics;
    }

    static Connection connect(PrefBuilderConfig config) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.dbUser());
        if (config.dbPassword() != null) {
            p.setProperty("password", config.dbPassword());
        }
        p.setProperty("reWriteBatchedInserts", "true");
        p.setProperty("ApplicationName", "pref-builder");
        Connection c = DriverManager.getConnection(config.jdbcUrl(), p);
        c.setAutoCommit(false);
        return c;
    }

    /** Writes one poll in one transaction (the caller commits offsets after this returns); returns rows sent. */
    int write(Connection c, ConsumerRecords<String, byte[]> records) throws SQLException {
        long t0 = System.nanoTime();
        List<Preference> pairs = new ArrayList<>();
        List<String> comparisonIds = new ArrayList<>();
        Map<String, Synthesis> syntheses = new LinkedHashMap<>();
        Map<String, GoldenUtterance> golden = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String topic = r.topic();
            try {
                if (topic.equals(topics.preferences())) {
                    pairs.add(Validation.readValid(r.value(), Preference.class));
                    Header h = r.headers().lastHeader(PrefBuilderTopology.COMPARISON_ID_HEADER);
                    comparisonIds.add(h == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                } else if (topic.equals(topics.synthesis())) {
                    Synthesis s = Validation.readValid(r.value(), Synthesis.class);
                    if (s.synthesisId().equals(r.key())) {
                        syntheses.putIfAbsent(s.synthesisId(), s);
                    }
                } else if (topic.equals(topics.golden())) {
                    if (r.value() == null) {
                        if (r.key() != null) {
                            golden.remove(r.key());
                            golden.put(r.key(), null);
                        }
                    } else {
                        GoldenUtterance g = Validation.readValid(r.value(), GoldenUtterance.class);
                        if (g.utteranceId().equals(r.key())) {
                            golden.remove(g.utteranceId());
                            golden.put(g.utteranceId(), g);
                        }
                    }
                }
            } catch (InvalidEvent e) {
                // The topology sent it to the input's DLQ with the reason; nothing to store.
            }
        }
        lastReadNanos = System.nanoTime() - t0;
        try {
            writeGolden(c, golden);
            writeSyntheses(c, syntheses.values());
            writePairs(c, pairs, comparisonIds);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        return pairs.size() + syntheses.size() + golden.size();
    }

    static void writePairs(Connection c, List<Preference> pairs, List<String> comparisonIds) throws SQLException {
        if (pairs.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_PAIR)) {
            for (int i = 0; i < pairs.size(); i++) {
                Preference p = pairs.get(i);
                ps.setString(1, p.pairId());
                ps.setString(2, p.source().wire());
                ps.setString(3, p.utteranceId());
                ps.setString(4, p.text());
                ps.setString(5, p.speaker());
                ps.setString(6, Sql.phones(p.phones()));
                Sql.setTokens(ps, 7, p.chosen().tokens());
                ps.setString(8, p.chosen().synthesisId());
                ps.setString(9, p.chosen().utteranceId());
                Sql.setTokens(ps, 10, p.rejected().tokens());
                ps.setString(11, p.rejected().synthesisId());
                ps.setString(12, p.rejected().utteranceId());
                ps.setString(13, p.rejectedModelVersion());
                ps.setString(14, comparisonIds == null ? null : comparisonIds.get(i));
                ps.setTimestamp(15, Timestamp.from(p.createdAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void writeSyntheses(Connection c, java.util.Collection<Synthesis> syntheses) throws SQLException {
        if (syntheses.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_SYNTHESIS)) {
            for (Synthesis s : syntheses) {
                ps.setString(1, s.synthesisId());
                ps.setString(2, s.origin() == Synthesis.Origin.SELF_PLAY ? "self_play" : "product");
                ps.setString(3, s.utteranceId());
                ps.setString(4, s.text());
                ps.setString(5, s.speaker());
                ps.setString(6, Sql.phones(s.phones()));
                Sql.setTokens(ps, 7, s.tokens());
                ps.setString(8, s.modelVersion());
                Synthesis.Sampling sp = s.sampling();
                setNullable(ps, 9, sp == null ? null : sp.temperature(), Types.DOUBLE);
                setNullable(ps, 10, sp == null ? null : sp.topK(), Types.INTEGER);
                setNullable(ps, 11, sp == null ? null : sp.topP(), Types.DOUBLE);
                setNullable(ps, 12, sp == null ? null : sp.seed(), Types.BIGINT);
                ps.setTimestamp(13, Timestamp.from(s.createdAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void writeGolden(Connection c, Map<String, GoldenUtterance> golden) throws SQLException {
        if (golden.isEmpty()) {
            return;
        }
        try (PreparedStatement up = c.prepareStatement(UPSERT_GOLDEN); PreparedStatement del = c.prepareStatement(DELETE_GOLDEN)) {
            boolean ups = false;
            boolean dels = false;
            for (Map.Entry<String, GoldenUtterance> e : golden.entrySet()) {
                GoldenUtterance g = e.getValue();
                if (g == null) {
                    del.setString(1, e.getKey());
                    del.addBatch();
                    dels = true;
                    continue;
                }
                up.setString(1, g.utteranceId());
                up.setString(2, g.text());
                up.setString(3, g.speaker());
                up.setString(4, Sql.phones(g.phones()));
                Sql.setTokens(up, 5, g.tokens());
                up.setString(6, g.codec().name());
                up.setString(7, g.codec().mode());
                up.setString(8, g.split().wire());
                up.setString(9, g.corpusVersion());
                up.addBatch();
                ups = true;
            }
            if (ups) {
                up.executeBatch();
            }
            if (dels) {
                del.executeBatch();
            }
        }
    }

    private static void setNullable(PreparedStatement ps, int i, Object v, int type) throws SQLException {
        if (v == null) {
            ps.setNull(i, type);
        } else {
            ps.setObject(i, v, type);
        }
    }

    static Duration backoff(int failures) {
        return Duration.ofMillis(Math.min(5_000, 100L << Math.min(failures, 6)));
    }
}
