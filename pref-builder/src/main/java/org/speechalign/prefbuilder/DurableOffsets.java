package org.speechalign.prefbuilder;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink commits its PostgreSQL transactions asynchronously ({@code synchronous_commit = off}: the
 * commit returns without waiting for the WAL to reach disk) and so must not commit the Kafka offsets
 * of a transaction before PostgreSQL has flushed it: a database crash loses only unflushed
 * transactions, and their records are then still ahead of the committed offsets, so they are read and
 * written again (the writes are idempotent). This keeps, per written poll, the WAL position its commit
 * reached and its offsets, and hands out the offsets of the polls whose WAL is flushed.
 */
final class DurableOffsets {

    private record Written(long lsn, Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    private final ArrayDeque<Written> waiting = new ArrayDeque<>();

    /** Notes a poll whose transaction committed with WAL up to {@code lsn}. */
    void written(long lsn, ConsumerRecords<?, ?> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            var list = records.records(tp);
            ConsumerRecord<?, ?> last = list.get(list.size() - 1);
            next.put(tp, new OffsetAndMetadata(last.offset() + 1));
        }
        waiting.add(new Written(lsn, next));
    }

    /** Offsets of every noted poll whose WAL lies at or below {@code flushedLsn} (later polls' offsets win), removed from the queue. */
    Map<TopicPartition, OffsetAndMetadata> durable(long flushedLsn) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        while (!waiting.isEmpty() && waiting.peek().lsn() <= flushedLsn) {
            out.putAll(waiting.poll().offsets());
        }
        return out;
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** Forgets every noted poll (after a failed write the sink rewinds to the committed offsets and writes them again). */
    void clear() {
        waiting.clear();
    }

    /** The WAL position after this session's last commit: at or past that commit's record. */
    static long insertLsn(Connection c) throws SQLException {
        return lsn(c, "SELECT pg_current_wal_insert_lsn()");
    }

    /** How far PostgreSQL has flushed its WAL to disk. */
    static long flushLsn(Connection c) throws SQLException {
        return lsn(c, "SELECT pg_current_wal_flush_lsn()");
    }

    private static long lsn(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long v = parse(rs.getString(1));
            if (!c.getAutoCommit()) {
                c.commit(); // ends the read-only transaction the query opened (writes no WAL)
            }
            return v;
        }
    }

    /** {@code pg_lsn} text ({@code 16/B374D848}: high and low 32 bits in hex) as one unsigned-ordered long. */
    static long parse(String lsn) {
        int slash = lsn.indexOf('/');
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }
}
