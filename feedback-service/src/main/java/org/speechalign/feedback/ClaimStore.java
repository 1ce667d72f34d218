package org.speechalign.feedback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Table {@code ingest_claims}: the first payload fingerprint seen over HTTP for each id. One
 * transaction per request claims all its ids; when any id was claimed before with another
 * fingerprint the transaction rolls back (nothing written) and the request gets 409.
 *
 * <p>The claim commits with {@code synchronous_commit = off}: Kafka, not this table, is the
 * durable record of an accepted event; a claim lost in a PostgreSQL crash only means a later
 * conflicting payload for that id is caught by the sink (DLQ) instead of by a 409.
 */
final class ClaimStore {

    /** The kinds of event claimed, with the table and key column where they finally land. */
    enum Kind {
        RATING("rating", "ratings", "rating_id"),
        COMPARISON("comparison", "comparisons", "comparison_id");

        final String wire;
        final String table;
        final String keyColumn;

        Kind(String wire, String table, String keyColumn) {
            this.wire = wire;
            this.table = table;
            this.keyColumn = keyColumn;
        }
    }

    record Claim(String id, String fingerprint, String raterId) {
    }

    /**
     * @param conflicts      ids claimed before with another payload (the request must be refused)
     * @param duplicates     ids claimed before with the same payload
     * @param alreadyStored  duplicates already in their final table (no need to send them again)
     */
    record Outcome(List<String> conflicts, Set<String> duplicates, Set<String> alreadyStored) {
    }

    private final DataSource dataSource;

    ClaimStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Outcome claim(Kind kind, List<Claim> claims) throws SQLException {
        List<Claim> sorted = new ArrayList<>(claims);
        sorted.sort(Comparator.comparing(Claim::id)); // one lock order for every request: no deadlocks
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL synchronous_commit = off");
                }
                Set<String> inserted = new HashSet<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO ingest_claims (kind, id, payload_sha256, rater_id) "
                                + "SELECT ?, u.id, u.h, u.r FROM unnest(?::text[], ?::text[], ?::text[]) AS u(id, h, r) "
                                + "ON CONFLICT (kind, id) DO NOTHING RETURNING id")) {
                    ps.setString(1, kind.wire);
                    ps.setArray(2, c.createArrayOf("text", sorted.stream().map(Claim::id).toArray()));
                    ps.setArray(3, c.createArrayOf("text", sorted.stream().map(Claim::fingerprint).toArray()));
                    ps.setArray(4, c.createArrayOf("text", sorted.stream().map(Claim::raterId).toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            inserted.add(rs.getString(1));
                        }
                    }
                }
                List<String> conflicts = new ArrayList<>();
                Set<String> duplicates = new HashSet<>();
                Set<String> stored = new HashSet<>();
                if (inserted.size() < sorted.size()) {
                    Map<String, String> wanted = new HashMap<>();
                    for (Claim claim : sorted) {
                        if (!inserted.contains(claim.id())) {
                            wanted.put(claim.id(), claim.fingerprint());
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT c.id, c.payload_sha256, t." + kind.keyColumn + " IS NOT NULL FROM ingest_claims c "
                                    + "LEFT JOIN " + kind.table + " t ON t." + kind.keyColumn + " = c.id "
                                    + "WHERE c.kind = ? AND c.id = ANY(?::text[])")) {
                        ps.setString(1, kind.wire);
                        ps.setArray(2, c.createArrayOf("text", wanted.keySet().toArray()));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                String id = rs.getString(1);
                                if (!rs.getString(2).equals(wanted.get(id))) {
                                    conflicts.add(id);
                                } else {
                                    duplicates.add(id);
                                    if (rs.getBoolean(3)) {
                                        stored.add(id);
                                    }
                                }
                            }
                        }
                    }
                }
                if (conflicts.isEmpty()) {
                    c.commit();
                } else {
                    c.rollback();
                    conflicts.sort(null);
                }
                return new Outcome(conflicts, duplicates, stored);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
