package org.speechalign.synth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.speechalign.loop.golden.GoldenRepository;

/**
 * Tokens of recent syntheses for {@code audio.wav}: the last {@code capacity} made by this
 * instance in memory, any other from PostgreSQL's {@code syntheses} table (written from
 * {@code speech.synthesis.v1}), so any instance can serve the audio of any synthesis.
 */
final class SynthesisStore {

    private final DataSource dataSource;
    private final Map<String, int[][]> recent;

    SynthesisStore(DataSource dataSource, int capacity) {
        this.dataSource = dataSource;
        this.recent = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, int[][]> e) {
                return size() > capacity;
            }
        };
    }

    synchronized void put(String synthesisId, int[][] tokens) {
        recent.put(synthesisId, tokens);
    }

    Optional<int[][]> tokens(String synthesisId) throws SQLException {
        synchronized (this) {
            int[][] t = recent.get(synthesisId);
            if (t != null) return Optional.of(t);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT tokens FROM syntheses WHERE synthesis_id = ?")) {
            ps.setString(1, synthesisId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(GoldenRepository.ints2(rs.getArray(1))) : Optional.empty();
            }
        }
    }
}
