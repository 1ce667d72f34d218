package org.speechalign.trainer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Claims on {@code training_batches} with a lease. A batch is claimable when it is {@code pending},
 * or {@code claimed} with its lease expired (its worker died or stalled). Claiming is
 * {@code SELECT … FOR UPDATE SKIP LOCKED} then an update in the same transaction, so two workers
 * never claim the same batch at once; each claim increments {@code attempts}, which identifies
 * the claim: renewing, failing and finishing all check {@code (claimed_by, attempts)}, so a worker
 * whose lease was taken over can no longer change the batch.
 */
final class BatchClaims {

    /** A held claim: {@code attempt} is the batch's attempts counter after this claim. */
    record Claim(String batchId, int attempt, int pairCount) {
    }

    private final DataSource dataSource;
    private final String workerId;
    private final Duration lease;
    private final int maxAttempts;

    BatchClaims(DataSource dataSource, String workerId, Duration lease, int maxAttempts) {
        this.dataSource = dataSource;
        this.workerId = workerId;
        this.lease = lease;
        this.maxAttempts = maxAttempts;
    }

    String workerId() {
        return workerId;
    }

    /** Claims {@code batchId} if given (and claimable), else the oldest claimable batch. */
    Optional<Claim> claim(String batchId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // batches past their last attempt are failed first (a worker died on each try)
                try (PreparedStatement ps = c.prepareStatement("UPDATE training_batches SET status = 'failed', finished_at = now(), "
                        + "error = coalesce(error, '') || 'lease expired on attempt ' || attempts || ' of ' || ? || '; ' "
                        + "WHERE status = 'claimed' AND lease_expires_at < now() AND attempts >= ?")) {
                    ps.setInt(1, maxAttempts);
                    ps.setInt(2, maxAttempts);
                    ps.executeUpdate();
                }
                String pick = "SELECT batch_id, pair_count FROM training_batches WHERE (status = 'pending' OR (status = 'claimed' "
                        + "AND lease_expires_at < now())) " + (batchId != null ? "AND batch_id = ? " : "")
                        + "ORDER BY created_at, batch_id LIMIT 1 FOR UPDATE SKIP LOCKED";
                String id;
                int pairs;
                try (PreparedStatement ps = c.prepareStatement(pick)) {
                    if (batchId != null) ps.setString(1, batchId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.commit();
                            return Optional.empty();
                        }
                        id = rs.getString(1);
                        pairs = rs.getInt(2);
                    }
                }
                int attempt;
                try (PreparedStatement ps = c.prepareStatement("UPDATE training_batches SET status = 'claimed', claimed_by = ?, claimed_at = now(), "
                        + "lease_expires_at = now() + make_interval(secs => ?), attempts = attempts + 1 WHERE batch_id = ? RETURNING attempts")) {
                    ps.setString(1, workerId);
                    ps.setDouble(2, lease.toMillis() / 1000.0);
                    ps.setString(3, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        attempt = rs.getInt(1);
                    }
                }
                c.commit();
                return Optional.of(new Claim(id, attempt, pairs));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Extends the lease; false if the claim was lost (expired and taken by another worker). */
    boolean renew(Claim claim) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE training_batches SET lease_expires_at = now() + make_interval(secs => ?) "
                     + "WHERE batch_id = ? AND status = 'claimed' AND claimed_by = ? AND attempts = ?")) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            ps.setString(2, claim.batchId());
            ps.setString(3, workerId);
            ps.setInt(4, claim.attempt());
            return ps.executeUpdate() == 1;
        }
    }

    /** Locks the batch row inside {@code c}'s transaction; true if the claim is still ours. */
    boolean stillHeld(Connection c, Claim claim) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status, claimed_by, attempts FROM training_batches WHERE batch_id = ? FOR UPDATE")) {
            ps.setString(1, claim.batchId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && "claimed".equals(rs.getString(1)) && workerId.equals(rs.getString(2)) && rs.getInt(3) == claim.attempt();
            }
        }
    }

    /** Marks the batch done with its result, inside {@code c}'s transaction (after {@link #stillHeld}). */
    void done(Connection c, Claim claim, String resultVersion, String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE training_batches SET status = 'done', finished_at = now(), result_version = ?, "
                + "lease_expires_at = NULL, error = ? WHERE batch_id = ? AND claimed_by = ? AND attempts = ?")) {
            ps.setString(1, resultVersion);
            ps.setString(2, note);
            ps.setString(3, claim.batchId());
            ps.setString(4, workerId);
            ps.setInt(5, claim.attempt());
            if (ps.executeUpdate() != 1) throw new SQLException("batch " + claim.batchId() + ": claim lost before finishing");
        }
    }

    /** Gives the batch up after an error: pending again, or failed after the last attempt. */
    void fail(Claim claim, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE training_batches SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END, "
                     + "finished_at = CASE WHEN attempts >= ? THEN now() END, lease_expires_at = NULL, "
                     + "error = left(coalesce(error, '') || 'attempt ' || attempts || ': ' || ? || '; ', 4000) "
                     + "WHERE batch_id = ? AND status = 'claimed' AND claimed_by = ? AND attempts = ?")) {
            ps.setInt(1, maxAttempts);
            ps.setInt(2, maxAttempts);
            ps.setString(3, error);
            ps.setString(4, claim.batchId());
            ps.setString(5, workerId);
            ps.setInt(6, claim.attempt());
            ps.executeUpdate();
        }
    }
}
