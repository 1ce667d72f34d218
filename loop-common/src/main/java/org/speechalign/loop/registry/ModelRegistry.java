package org.speechalign.loop.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.ModelVersion;

/**
 * The model registry in PostgreSQL: {@code model_versions} (every version), {@code model_serving}
 * (which version each line serves) and {@code model_events} (the audit log, which is also the outbox
 * of {@code speech.model-versions.v1}, see {@link OutboxRelay}). Plain JDBC.
 *
 * <p>Every change of what a line serves (promotion, rollback, bootstrap) runs in one transaction
 * holding the line's advisory lock, updates {@code model_serving} and appends its audit event, so the
 * pointer and the log never disagree and two operators cannot interleave.
 *
 * <p>Serving history: a version that stops serving because a newer one was promoted keeps status
 * {@code promoted}; a version an operator rolled back from gets {@code rolled_back}. The default
 * rollback target is therefore the most recently promoted version, other than the serving one, whose
 * status is still {@code promoted} and whose artifact is kept.
 */
public final class ModelRegistry {

    public static final String DEFAULT_LINE = "default";

    /** One row of {@code model_versions}. */
    public record Version(String version, String modelLine, String parentVersion, String artifactUri, String artifactSha256,
                          ModelVersion.Status status, Map<String, Double> metrics, String batchId, Instant createdAt,
                          Instant updatedAt, Instant artifactDeletedAt) {
        /** The event announcing this version with the given status. */
        public ModelVersion event(ModelVersion.Status s, Instant at) {
            return new ModelVersion(modelLine, version, parentVersion, artifactUri, artifactSha256, s, metrics, at);
        }
    }

    /** A version to register. */
    public record NewVersion(String version, String modelLine, String parentVersion, String artifactUri, String artifactSha256,
                             Map<String, Double> metrics, String batchId) {
    }

    /** One row of {@code model_events}. */
    public record Event(long eventId, String version, String action, String fromVersion, String actor, String reason,
                        Map<String, Object> details, Instant at, Instant publishedAt) {
    }

    /** What a rollback did. */
    public record Rollback(String modelLine, String from, String to) {
    }

    /** Work inside one transaction. */
    public interface Work<T> {
        T run(Connection c) throws SQLException, RegistryException;
    }

    private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Object>> DETAILS = new TypeReference<>() {};
    private final DataSource dataSource;

    public ModelRegistry(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The version name of an artifact in a line: {@code <line>-<first 12 hex digits of its sha-256>}. */
    public static String versionName(String modelLine, String sha256) {
        return modelLine + "-" + sha256.substring(0, 12);
    }

    /** Runs {@code work} in one transaction (committed on success, rolled back on any exception). */
    public <T> T inTransaction(Work<T> work) throws SQLException, RegistryException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RegistryException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Takes the line's lock until the transaction ends (promotion, rollback, bootstrap). */
    public static void lockLine(Connection c, String modelLine) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('model_serving:' || ?))")) {
            ps.setString(1, modelLine);
            ps.executeQuery().close();
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Inserts a candidate and its {@code registered} event; false (and nothing written) if the version
     * exists already with the same artifact; {@link RegistryException} if it exists with another.
     */
    public boolean register(Connection c, NewVersion v, String actor, String reason, Map<String, ?> details)
            throws SQLException, RegistryException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_versions (version, model_line, parent_version, artifact_uri, "
                + "artifact_sha256, status, metrics, batch_id) VALUES (?, ?, ?, ?, ?, 'candidate', ?::jsonb, ?) ON CONFLICT (version) DO NOTHING")) {
            ps.setString(1, v.version());
            ps.setString(2, v.modelLine());
            ps.setString(3, v.parentVersion());
            ps.setString(4, v.artifactUri());
            ps.setString(5, v.artifactSha256());
            ps.setString(6, Json.writeString(v.metrics() == null ? Map.of() : v.metrics()));
            ps.setString(7, v.batchId());
            if (ps.executeUpdate() == 0) {
                Version existing = get(c, v.version()).orElseThrow();
                if (!existing.artifactSha256().equals(v.artifactSha256())) {
                    throw new RegistryException("version " + v.version() + " exists with another artifact");
                }
                return false;
            }
        }
        event(c, v.version(), "registered", null, actor, reason, details);
        return true;
    }

    /** Makes {@code version} the serving version of its line; false if it already was. */
    public boolean promote(Connection c, String version, String actor, String reason, Map<String, ?> details)
            throws SQLException, RegistryException {
        Version v = get(c, version).orElseThrow(() -> new RegistryException("no model version " + version));
        lockLine(c, v.modelLine());
        if (v.artifactDeletedAt() != null) {
            throw new RegistryException("version " + version + " cannot serve: its artifact was deleted by retention");
        }
        String current = servingVersion(c, v.modelLine()).orElse(null);
        if (version.equals(current)) return false;
        setStatus(c, version, ModelVersion.Status.PROMOTED);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_serving (model_line, version, since, actor) VALUES (?, ?, now(), ?) "
                + "ON CONFLICT (model_line) DO UPDATE SET version = EXCLUDED.version, since = EXCLUDED.since, actor = EXCLUDED.actor")) {
            ps.setString(1, v.modelLine());
            ps.setString(2, version);
            ps.setString(3, actor);
            ps.executeUpdate();
        }
        event(c, version, "promoted", current, actor, reason, details);
        return true;
    }

    /** Records that the gate (or an operator) rejected a candidate. A serving version cannot be rejected. */
    public void reject(Connection c, String version, String actor, String reason, Map<String, ?> details)
            throws SQLException, RegistryException {
        Version v = get(c, version).orElseThrow(() -> new RegistryException("no model version " + version));
        lockLine(c, v.modelLine());
        if (version.equals(servingVersion(c, v.modelLine()).orElse(null))) {
            throw new RegistryException("version " + version + " is serving: roll back instead of rejecting it");
        }
        setStatus(c, version, ModelVersion.Status.REJECTED);
        event(c, version, "rejected", null, actor, reason, details);
    }

    /**
     * Rolls the line back from its serving version to {@code target} (null: the previous serving
     * version), in one transaction: the serving version becomes {@code rolled_back}, the target serves
     * again; two audit events ({@code rolled_back} on the old, {@code promoted} on the target).
     */
    public Rollback rollback(String modelLine, String target, String actor, String reason) throws SQLException, RegistryException {
        return inTransaction(c -> {
            lockLine(c, modelLine);
            String current = servingVersion(c, modelLine)
                    .orElseThrow(() -> new RegistryException("model line " + modelLine + " serves no version: nothing to roll back"));
            String to = target != null ? target : previousServing(c, modelLine, current)
                    .orElseThrow(() -> new RegistryException("model line " + modelLine + " has no earlier serving version to roll back to"));
            if (to.equals(current)) throw new RegistryException("version " + to + " is already serving");
            Version t = get(c, to).orElseThrow(() -> new RegistryException("no model version " + to));
            if (!t.modelLine().equals(modelLine)) throw new RegistryException("version " + to + " belongs to line " + t.modelLine());
            if (t.artifactDeletedAt() != null) throw new RegistryException("version " + to + " has no artifact any more (retention)");
            setStatus(c, current, ModelVersion.Status.ROLLED_BACK);
            Map<String, Object> details = Map.of("to_version", to);
            event(c, current, "rolled_back", current, actor, reason, details);
            promote(c, to, actor, "rollback from " + current + (reason == null ? "" : ": " + reason), Map.of("rollback_from", current));
            return new Rollback(modelLine, current, to);
        });
    }

    /**
     * Registers and promotes {@code v} as the line's first version, unless the line already serves
     * one; returns the serving version either way. Safe when several instances start at once.
     */
    public Version bootstrap(NewVersion v, String actor) throws SQLException, RegistryException {
        return inTransaction(c -> {
            lockLine(c, v.modelLine());
            Optional<String> current = servingVersion(c, v.modelLine());
            if (current.isPresent()) return get(c, current.get()).orElseThrow();
            register(c, v, actor, "bootstrap: the line served no version", Map.of());
            promote(c, v.version(), actor, "bootstrap: the line served no version", Map.of());
            return get(c, v.version()).orElseThrow();
        });
    }

    /** Marks a version's artifact deleted and audits it. */
    public void markArtifactDeleted(Connection c, String version, String actor, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE model_versions SET artifact_deleted_at = now() WHERE version = ? AND artifact_deleted_at IS NULL")) {
            ps.setString(1, version);
            if (ps.executeUpdate() == 0) return;
        }
        event(c, version, "deleted", null, actor, reason, Map.of());
    }

    private static void setStatus(Connection c, String version, ModelVersion.Status s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE model_versions SET status = ?, updated_at = now() WHERE version = ?")) {
            ps.setString(1, s.wire());
            ps.setString(2, version);
            ps.executeUpdate();
        }
    }

    static void event(Connection c, String version, String action, String from, String actor, String reason, Map<String, ?> details)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_events (version, action, from_version, actor, reason, details) "
                + "VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
            ps.setString(1, version);
            ps.setString(2, action);
            ps.setString(3, from);
            ps.setString(4, actor);
            ps.setString(5, reason);
            ps.setString(6, Json.writeString(details == null ? Map.of() : details));
            ps.executeUpdate();
        }
    }

    // ------------------------------------------------------------------ reads

    public Optional<Version> serving(String modelLine) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<String> v = servingVersion(c, modelLine);
            return v.isEmpty() ? Optional.empty() : get(c, v.get());
        }
    }

    public Optional<Version> get(String version) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return get(c, version);
        }
    }

    /** The versions of a line, newest first. */
    public List<Version> list(String modelLine, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + " WHERE model_line = ? ORDER BY created_at DESC, version LIMIT ?")) {
            ps.setString(1, modelLine);
            ps.setInt(2, limit);
            return versions(ps);
        }
    }

    /** Audit events of a version, oldest first. */
    public List<Event> events(String version) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT event_id, version, action, from_version, actor, reason, details::text, at, published_at "
                     + "FROM model_events WHERE version = ? ORDER BY event_id")) {
            ps.setString(1, version);
            List<Event> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Event(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            read(rs.getString(7), DETAILS), instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9))));
                }
            }
            return out;
        }
    }

    /** The default rollback target (see the class comment), if any. */
    public Optional<String> previousServing(String modelLine) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<String> current = servingVersion(c, modelLine);
            return previousServing(c, modelLine, current.orElse(null));
        }
    }

    /** Earlier serving versions of a line that are still rollback targets, most recent first. */
    static List<String> rollbackTargets(Connection c, String modelLine, String current, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v.version FROM model_versions v JOIN model_events e ON e.version = v.version "
                + "AND e.action = 'promoted' WHERE v.model_line = ? AND v.status = 'promoted' AND v.artifact_deleted_at IS NULL "
                + "AND v.version IS DISTINCT FROM ? GROUP BY v.version ORDER BY max(e.event_id) DESC LIMIT ?")) {
            ps.setString(1, modelLine);
            ps.setString(2, current);
            ps.setInt(3, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        }
    }

    private static Optional<String> previousServing(Connection c, String modelLine, String current) throws SQLException {
        return rollbackTargets(c, modelLine, current, 1).stream().findFirst();
    }

    public static Optional<String> servingVersion(Connection c, String modelLine) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM model_serving WHERE model_line = ?")) {
            ps.setString(1, modelLine);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    static final String SELECT = "SELECT version, model_line, parent_version, artifact_uri, artifact_sha256, status, metrics::text, "
            + "batch_id, created_at, updated_at, artifact_deleted_at FROM model_versions";

    public static Optional<Version> get(Connection c, String version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE version = ?")) {
            ps.setString(1, version);
            return versions(ps).stream().findFirst();
        }
    }

    static List<Version> versions(PreparedStatement ps) throws SQLException {
        List<Version> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Version(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        ModelVersion.Status.valueOf(rs.getString(6).toUpperCase(Locale.ROOT)), read(rs.getString(7), METRICS),
                        rs.getString(8), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11))));
            }
        }
        return out;
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return json == null ? null : Json.MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable JSON in the registry: " + e.getMessage(), e);
        }
    }

    /** A version's row as a JSON-friendly map (for the HTTP APIs). */
    public static Map<String, Object> describe(Version v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("model_line", v.modelLine());
        m.put("parent_version", v.parentVersion());
        m.put("status", v.status().wire());
        m.put("artifact_uri", v.artifactUri());
        m.put("artifact_sha256", v.artifactSha256());
        m.put("metrics", v.metrics());
        m.put("batch_id", v.batchId());
        m.put("created_at", v.createdAt() == null ? null : v.createdAt().toString());
        m.put("artifact_deleted_at", v.artifactDeletedAt() == null ? null : v.artifactDeletedAt().toString());
        return m;
    }

    @SuppressWarnings("unused")
    private static void setNullable(PreparedStatement ps, int i, String s) throws SQLException {
        if (s == null) ps.setNull(i, Types.VARCHAR);
        else ps.setString(i, s);
    }
}
