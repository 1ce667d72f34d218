package org.speechalign.loop.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.ModelVersion;
import org.speechalign.contracts.Topics;

/**
 * Publishes {@code model_events} rows not yet published to {@code speech.model-versions.v1} (key:
 * model line), in event order, then marks them published in the same transaction. The registry
 * row therefore always exists before its event (DESIGN.md), and an event whose transaction
 * committed is published even if the process dies right after the commit (the next relay pass, in
 * any instance, sends it). One relay at a time (a global advisory lock) keeps the order of a line's
 * events; a crash between send and commit re-sends, which consumers tolerate (same version, same
 * artifact: a no-op).
 */
public final class OutboxRelay {

    private final ModelRegistry registry;
    private final Producer<String, byte[]> producer;
    private final Duration ackTimeout;

    public OutboxRelay(ModelRegistry registry, Producer<String, byte[]> producer, Duration ackTimeout) {
        this.registry = registry;
        this.producer = producer;
        this.ackTimeout = ackTimeout;
    }

    /** Publishes every pending event; returns how many were sent. */
    public synchronized int publishPending() throws SQLException {
        try {
            return registry.inTransaction(this::publish);
        } catch (RegistryException e) {
            throw new IllegalStateException(e);
        }
    }

    private int publish(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('model_events:outbox'))")) {
            lock.executeQuery().close();
        }
        record Pending(long id, String action, Instant at, String version) {}
        List<Pending> pending = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_id, action, at, version FROM model_events "
                + "WHERE published_at IS NULL ORDER BY event_id LIMIT 500"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                pending.add(new Pending(rs.getLong(1), rs.getString(2), ModelRegistry.instant(rs.getTimestamp(3)), rs.getString(4)));
            }
        }
        if (pending.isEmpty()) return 0;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (Pending p : pending) {
            ids.add(p.id());
            ModelVersion.Status status = switch (p.action()) {
                case "registered" -> ModelVersion.Status.CANDIDATE;
                case "promoted" -> ModelVersion.Status.PROMOTED;
                case "rejected" -> ModelVersion.Status.REJECTED;
                case "rolled_back" -> ModelVersion.Status.ROLLED_BACK;
                default -> null; // deleted: audit only
            };
            if (status == null) continue;
            ModelRegistry.Version v = ModelRegistry.get(c, p.version()).orElseThrow();
            ModelVersion event = v.event(status, p.at());
            sent.add(producer.send(new ProducerRecord<>(Topics.MODEL_VERSIONS, v.modelLine(), Json.write(event))));
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> f : sent) f.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while publishing model events", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SQLException("publishing model events failed (they stay pending): " + e, e);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE model_events SET published_at = now() WHERE event_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            ps.executeUpdate();
        }
        return sent.size();
    }
}
