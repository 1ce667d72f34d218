package org.speechalign.loop.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.loop.store.ModelStore;

/**
 * Artifact garbage collection. The rule, per model line:
 * <ol>
 *   <li>the serving version's artifact is kept;</li>
 *   <li>so are the artifacts of the {@code keepRollbackTargets} most recent earlier serving versions
 *       that are still rollback targets (status {@code promoted}): a rollback can always go back that far;</li>
 *   <li>so is every artifact registered less than {@code minAge} ago (a candidate being evaluated, a
 *       fresh rejection someone may want to inspect or promote by hand);</li>
 *   <li>every other version's artifact (rejected, rolled back, superseded beyond the kept targets, or
 *       a candidate older than {@code minAge}) is deleted, the row gets {@code artifact_deleted_at} and
 *       a {@code deleted} event; an artifact shared with a kept version is never deleted;</li>
 *   <li>files in the store that no version names (a worker died between storing and registering)
 *       are deleted once older than {@code minAge}.</li>
 * </ol>
 * A version whose artifact was deleted can no longer be promoted or rolled back to; the row and its
 * audit trail stay forever.
 */
public final class Retention {

    /** @param keepRollbackTargets earlier serving versions kept per line (≥ 1) */
    public record Rule(int keepRollbackTargets, Duration minAge) {
        public Rule {
            if (keepRollbackTargets < 1) throw new IllegalArgumentException("keep at least one rollback target");
        }
    }

    /** What a pass deleted. */
    public record Result(List<String> deletedVersions, List<String> deletedOrphans, Set<String> kept) {
    }

    private final ModelRegistry registry;
    private final ModelStore store;
    private final Rule rule;

    public Retention(ModelRegistry registry, ModelStore store, Rule rule) {
        this.registry = registry;
        this.store = store;
        this.rule = rule;
    }

    public Result collect(String actor) throws SQLException, IOException {
        Set<String> keptVersions = new HashSet<>();
        Set<String> keptShas = new HashSet<>();
        List<String[]> candidates = new ArrayList<>();
        Set<String> known = new HashSet<>();
        try (Connection c = registry.dataSource().getConnection()) {
            List<String> lines = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT model_line FROM model_versions"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) lines.add(rs.getString(1));
            }
            for (String line : lines) {
                String serving = ModelRegistry.servingVersion(c, line).orElse(null);
                if (serving != null) keptVersions.add(serving);
                keptVersions.addAll(ModelRegistry.rollbackTargets(c, line, serving, rule.keepRollbackTargets()));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT version, artifact_sha256, created_at > now() - make_interval(secs => ?), "
                    + "artifact_deleted_at IS NOT NULL FROM model_versions")) {
                ps.setDouble(1, rule.minAge().toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String v = rs.getString(1), sha = rs.getString(2);
                        known.add(sha);
                        if (rs.getBoolean(3)) keptVersions.add(v);
                        if (keptVersions.contains(v)) keptShas.add(sha);
                        else if (!rs.getBoolean(4)) candidates.add(new String[] {v, sha});
                    }
                }
            }
        }
        // a second pass: versions kept by age were only known after the first rows were read
        List<String> deleted = new ArrayList<>();
        for (String[] vs : candidates) {
            if (keptVersions.contains(vs[0]) || keptShas.contains(vs[1])) continue;
            try {
                registry.inTransaction(c -> {
                    // re-check under the line's lock: a concurrent promotion or rollback wins
                    ModelRegistry.Version v = ModelRegistry.get(c, vs[0]).orElseThrow();
                    ModelRegistry.lockLine(c, v.modelLine());
                    String serving = ModelRegistry.servingVersion(c, v.modelLine()).orElse(null);
                    if (vs[0].equals(serving) || ModelRegistry.rollbackTargets(c, v.modelLine(), serving, rule.keepRollbackTargets())
                            .contains(vs[0])) {
                        return null;
                    }
                    registry.markArtifactDeleted(c, vs[0], actor, "retention: not serving, not among the "
                            + rule.keepRollbackTargets() + " most recent rollback targets, older than " + rule.minAge());
                    try {
                        store.delete(vs[1]);
                    } catch (IOException e) {
                        throw new SQLException("cannot delete artifact " + vs[1] + ": " + e.getMessage(), e);
                    }
                    deleted.add(vs[0]);
                    return null;
                });
            } catch (RegistryException e) {
                throw new IllegalStateException(e);
            }
        }
        List<String> orphans = new ArrayList<>();
        Instant cutoff = Instant.now().minus(rule.minAge());
        for (String sha : store.list()) {
            if (known.contains(sha)) continue;
            if (store instanceof DirectoryModelStore d) {
                Path p = d.directory().resolve(sha + DirectoryModelStore.EXTENSION);
                if (Files.exists(p) && Files.getLastModifiedTime(p).toInstant().isAfter(cutoff)) continue;
            }
            // re-check: it may have been registered since
            if (registryKnows(sha)) continue;
            store.delete(sha);
            orphans.add(sha);
        }
        return new Result(deleted, orphans, keptVersions);
    }

    private boolean registryKnows(String sha) throws SQLException {
        try (Connection c = registry.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM model_versions WHERE artifact_sha256 = ?")) {
            ps.setString(1, sha);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
