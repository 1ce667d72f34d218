package org.speechalign.loop.golden;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;

/**
 * Golden utterances from {@code golden_utterances} (written from {@code speech.golden.v1}). The
 * split is enforced here: {@link #trainSample} never returns a test utterance (self-play), and
 * {@link #heldOut} returns test utterances only (evaluation).
 */
public final class GoldenRepository {
    private static final int INSERT_CHUNK = 200;

    private static final TypeReference<List<PhoneFrames>> PHONES = new TypeReference<>() {};
    private static final String COLUMNS = "utterance_id, text, speaker, phones::text, tokens, codec_name, codec_mode, split, corpus_version";
    private final DataSource dataSource;

    public GoldenRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Up to {@code n} random train-split utterances (never dev or test) for self-play. */
    public List<Utterance> trainSample(int n) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM golden_utterances WHERE split = 'train' ORDER BY random() LIMIT ?", n);
    }

    /** The first {@code n} test-split utterances by id (a fixed held-out set). */
    public List<Utterance> heldOut(int n) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM golden_utterances WHERE split = 'test' ORDER BY utterance_id LIMIT ?", n);
    }

    /** The golden utterance with this exact text and speaker, if any (any split: it only labels a product synthesis). */
    public Optional<String> match(String text, String speaker) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT utterance_id FROM golden_utterances WHERE text = ? AND speaker = ? ORDER BY utterance_id LIMIT 1")) {
            ps.setString(1, text);
            ps.setString(2, speaker);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Idempotent insert (the first version of an id wins), as pref-builder's sink writes them. */
    public void insert(GoldenUtterance g) throws SQLException {
        insertAll(List.of(g));
    }

    /** {@link #insert} for many, in one transaction per {@value #INSERT_CHUNK} rows. */
    public void insertAll(List<GoldenUtterance> utterances) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO golden_utterances (utterance_id, text, speaker, phones, tokens, codec_name, "
                     + "codec_mode, split, corpus_version) VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) ON CONFLICT (utterance_id) DO NOTHING")) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (int from = 0; from < utterances.size(); from += INSERT_CHUNK) {
                    for (GoldenUtterance g : utterances.subList(from, Math.min(utterances.size(), from + INSERT_CHUNK))) {
                        ps.setString(1, g.utteranceId());
                        ps.setString(2, g.text());
                        ps.setString(3, g.speaker());
                        ps.setString(4, Json.writeString(g.phones()));
                        ps.setArray(5, intArray2(c, g.tokens()));
                        ps.setString(6, g.codec().name());
                        ps.setString(7, g.codec().mode());
                        ps.setString(8, g.split().wire());
                        ps.setString(9, g.corpusVersion());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    public static Array intArray2(Connection c, int[][] a) throws SQLException {
        Integer[][] boxed = new Integer[a.length][];
        for (int i = 0; i < a.length; i++) {
            boxed[i] = new Integer[a[i].length];
            for (int j = 0; j < a[i].length; j++) boxed[i][j] = a[i][j];
        }
        return c.createArrayOf("integer", boxed);
    }

    public static int[][] ints2(Array array) throws SQLException {
        Object[] rows = (Object[]) array.getArray();
        int[][] out = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            Object[] row = (Object[]) rows[i];
            out[i] = new int[row.length];
            for (int j = 0; j < row.length; j++) out[i][j] = ((Number) row[j]).intValue();
        }
        return out;
    }

    public static List<PhoneFrames> phones(String json) {
        try {
            return Json.MAPPER.readValue(json, PHONES);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable phones JSON: " + e.getMessage(), e);
        }
    }

    private List<Utterance> query(String sql, int n) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, n);
            List<Utterance> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Phone> phones = new ArrayList<>();
                    for (PhoneFrames p : phones(rs.getString(4))) phones.add(new Phone(p.symbol(), p.frames()));
                    out.add(new Utterance(rs.getString(1), rs.getString(2), rs.getString(3), phones, ints2(rs.getArray(5)),
                            rs.getString(6), rs.getString(7), Split.valueOf(rs.getString(8).toUpperCase(Locale.ROOT)), rs.getString(9)));
                }
            }
            return out;
        }
    }
}
