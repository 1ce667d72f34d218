package org.speechalign.prefbuilder;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.TrainingBatch;

/**
 * Closes training batches and announces them, exactly once even with several instances.
 *
 * <ol>
 *   <li><b>Close</b> (one transaction): take a transaction-scoped advisory lock (one closer at a time
 *       across all instances; the others skip), count the unbatched pairs, and when there are at least
 *       {@code threshold} (or the oldest waited {@code maxAge}) lock the oldest pairs
 *       {@code FOR UPDATE}, insert the {@code training_batches} row and set their {@code batch_id}
 *       with {@code WHERE batch_id IS NULL}; if fewer rows than locked change, roll back. Commit.</li>
 *   <li><b>Announce</b> (after the commit, never before: an event never names a batch that is not in
 *       PostgreSQL): lock unannounced rows {@code FOR UPDATE SKIP LOCKED}, claim each with its
 *       {@code training_batch_announcements} row ({@code ON CONFLICT DO NOTHING}: a batch another instance
 *       announced meanwhile claims nothing), publish the claimed ones on {@code speech.training-batches.v1}
 *       (acks=all, idempotent), commit.
 *       The same pass is the recovery path: a batch whose instance died between commit and publish
 *       is published by whichever instance runs next. A crash after publishing but before the
 *       announcement commit republishes the same batch_id once more; consumers claim batches
 *       by batch_id in PostgreSQL, so that is harmless.</li>
 * </ol>
 */
final class Batcher {

    /** Advisory lock key (any constant unique to this use): "pref-builder batches". */
    static final long LOCK_KEY = 0x7072656662617463L;

    private final BatchPolicy policy;
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final String instanceId;
    private final Counters counters;

    Batcher(BatchPolicy policy, Producer<String, byte[]> producer, String topic, String instanceId, Counters counters) {
        this.policy = policy;
        this.producer = producer;
        this.topic = topic;
        this.instanceId = instanceId;
        this.counters = counters;
    }

    /** Closes every batch that is due, then announces every unannounced batch. */
    void run(Connection c) throws SQLException {
        while (closeOne(c)) {
            // keep closing full batches
        }
        announcePending(c);
    }

    /** Closes at most one batch; true when a full batch was closed (there may be another). */
    boolean closeOne(Connection c) throws SQLException {
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                lock.setLong(1, LOCK_KEY);
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        c.rollback();
                        return false; // another instance is closing a batch right now
                    }
                }
            }
            int unbatched;
            boolean stale;
            // Counted up to the threshold only, and the oldest through the partial index on inserted_at: this
            // runs after every sink write, and a full count(*) grew with every unbatched pair (bench pairing,
            // batching off: 20,000 of them).
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT (SELECT count(*) FROM (SELECT 1 FROM preference_pairs WHERE batch_id IS NULL LIMIT ?) u),
                        coalesce((SELECT inserted_at FROM preference_pairs WHERE batch_id IS NULL ORDER BY inserted_at LIMIT 1)
                            < now() - make_interval(secs => ?), false)""")) {
                ps.setInt(1, policy.threshold());
                ps.setDouble(2, policy.maxAge().toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    unbatched = rs.getInt(1);
                    stale = rs.getBoolean(2);
                }
            }
            boolean full = unbatched >= policy.threshold();
            if (!full && !(stale && unbatched > 0)) {
                c.rollback();
                return false;
            }
            int size = Math.min(unbatched, policy.threshold());
            List<String> ids = new ArrayList<>(size);
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT pair_id FROM preference_pairs WHERE batch_id IS NULL
                    ORDER BY inserted_at, pair_id LIMIT ? FOR UPDATE""")) {
                ps.setInt(1, size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            if (ids.isEmpty()) {
                c.rollback();
                return false;
            }
            String batchId = batchIdOf(ids);
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO training_batches (batch_id, pair_count) VALUES (?, ?)")) {
                ins.setString(1, batchId);
                ins.setInt(2, ids.size());
                ins.executeUpdate();
            }
            Array arr = c.createArrayOf("text", ids.toArray());
            try (PreparedStatement upd = c.prepareStatement(
                    "UPDATE preference_pairs SET batch_id = ? WHERE pair_id = ANY(?) AND batch_id IS NULL")) {
                upd.setString(1, batchId);
                upd.setArray(2, arr);
                int changed = upd.executeUpdate();
                if (changed != ids.size()) {
                    throw new SQLException("batch " + batchId + " claimed " + changed + " of " + ids.size() + " pairs; rolled back");
                }
            }
            c.commit();
            counters.batchesCreated.incrementAndGet();
            return full;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    /** Publishes every batch not yet announced (the normal path right after closing, and the recovery path). */
    int announcePending(Connection c) throws SQLException {
        int published = 0;
        try {
            List<TrainingBatch> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT b.batch_id, b.pair_count, b.created_at FROM training_batches b
                    WHERE NOT EXISTS (SELECT 1 FROM training_batch_announcements a WHERE a.batch_id = b.batch_id)
                    ORDER BY b.created_at, b.batch_id LIMIT 100 FOR UPDATE OF b SKIP LOCKED""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(new TrainingBatch(rs.getString(1), rs.getInt(2), rs.getTimestamp(3).toInstant()));
                }
            }
            if (due.isEmpty()) {
                c.rollback();
                return 0;
            }
            // Claim each batch's announcement row before publishing. Under READ COMMITTED the query above
            // can still return a batch that another instance announced and committed after this
            // statement's snapshot was taken (SKIP LOCKED only skips rows locked right now, and the
            // NOT EXISTS is not re-evaluated): the insert sees that row and claims nothing.
            try (PreparedStatement claim = c.prepareStatement(
                    "INSERT INTO training_batch_announcements (batch_id, announced_by) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                for (TrainingBatch b : due) {
                    claim.setString(1, b.batchId());
                    claim.setString(2, instanceId);
                    if (claim.executeUpdate() == 1) {
                        publish(b);
                        published++;
                    }
                }
            }
            c.commit();
            counters.batchesAnnounced.addAndGet(published);
            return published;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private void publish(TrainingBatch b) throws SQLException {
        try {
            producer.send(new ProducerRecord<>(topic, b.batchId(), Json.write(b))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while announcing batch " + b.batchId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SQLException("cannot announce batch " + b.batchId() + ": " + e.getMessage(), e);
        }
    }

    /** Deterministic batch id: the same pairs make the same id. */
    static String batchIdOf(List<String> pairIds) {
        return "batch-" + Validator.sha256(String.join(",", pairIds).getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }

}
