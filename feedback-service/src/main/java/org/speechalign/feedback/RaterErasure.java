package org.speechalign.feedback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * DELETE /v1/raters/{rater_id}: erases a rater's ratings, comparisons, HTTP claims and the
 * not-yet-batched preference pairs made from their comparisons, in one transaction, and audits
 * it in {@code rater_erasures}. The Kafka records themselves age out with the topics' retention;
 * until then the sink drops any record of the rater older than the erasure, so a replay does
 * not bring the data back.
 */
final class RaterErasure {

    record Erased(long erasureId, int ratings, int comparisons, int claims, int pairs) {
    }

    private final DataSource dataSource;

    RaterErasure(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Erased erase(String raterId, String requestedBy) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int pairs = update(c, "DELETE FROM preference_pairs WHERE batch_id IS NULL AND comparison_id IN "
                        + "(SELECT comparison_id FROM comparisons WHERE rater_id = ?)", raterId);
                int ratings = update(c, "DELETE FROM ratings WHERE rater_id = ?", raterId);
                int comparisons = update(c, "DELETE FROM comparisons WHERE rater_id = ?", raterId);
                int claims = update(c, "DELETE FROM ingest_claims WHERE rater_id = ?", raterId);
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO rater_erasures (rater_id, requested_by, "
                        + "ratings_deleted, comparisons_deleted, claims_deleted, pairs_deleted) VALUES (?, ?, ?, ?, ?, ?) "
                        + "RETURNING erasure_id")) {
                    ps.setString(1, raterId);
                    ps.setString(2, requestedBy);
                    ps.setInt(3, ratings);
                    ps.setInt(4, comparisons);
                    ps.setInt(5, claims);
                    ps.setInt(6, pairs);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                c.commit();
                return new Erased(id, ratings, comparisons, claims, pairs);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static int update(Connection c, String sql, String raterId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, raterId);
            return ps.executeUpdate();
        }
    }
}
