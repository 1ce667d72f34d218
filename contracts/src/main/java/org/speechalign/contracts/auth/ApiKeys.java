package org.speechalign.contracts.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * API keys in table {@code api_keys}: a key is {@code sa_<key_id>_<secret>} with 256 random
 * bits; only its sha-256 is stored, so the key is shown once, at creation. Plain JDBC, so the
 * launcher and every service share it.
 */
public final class ApiKeys {

    /** Roles a key can hold (DESIGN.md: a product's ingest key can never roll back a model). */
    public enum Role {
        INGEST, SYNTHESIZE, ADMIN;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Role fromWire(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + s + "' (roles: ingest, synthesize, admin)");
            }
        }
    }

    /**
     * An active key as the services see it.
     *
     * @param rateLimitPerSecond events per second per service instance, null for the service default
     */
    public record ApiKey(String keyId, String name, Set<Role> roles, Integer rateLimitPerSecond) {
        public boolean has(Role role) {
            return roles.contains(role);
        }
    }

    /** A new key: {@code secret} is the whole key, printed once and never stored. */
    public record Created(String keyId, String name, String secret, Set<Role> roles) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final DataSource dataSource;

    public ApiKeys(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Created create(String name, Set<Role> roles, Integer rateLimitPerSecond) throws SQLException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a key needs a name");
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one role (ingest, synthesize, admin)");
        }
        byte[] idBytes = new byte[6];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String keyId = HexFormat.of().formatHex(idBytes);
        String key = "sa_" + keyId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO api_keys (key_id, name, key_sha256, roles, rate_limit_per_second) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, keyId);
            ps.setString(2, name);
            ps.setString(3, sha256(key));
            ps.setArray(4, c.createArrayOf("text", roles.stream().map(Role::wire).toArray()));
            if (rateLimitPerSecond == null) {
                ps.setNull(5, java.sql.Types.INTEGER);
            } else {
                ps.setInt(5, rateLimitPerSecond);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new IllegalArgumentException("an active key named '" + name + "' exists already: revoke it first");
            }
            throw e;
        }
        return new Created(keyId, name, key, roles);
    }

    /** Revokes the active key with this name or key id; returns how many keys were revoked. */
    public int revoke(String nameOrKeyId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND (name = ? OR key_id = ?)")) {
            ps.setString(1, nameOrKeyId);
            ps.setString(2, nameOrKeyId);
            return ps.executeUpdate();
        }
    }

    /** The active key behind a presented key string, if any. */
    public Optional<ApiKey> lookup(String presented) throws SQLException {
        if (presented == null || !presented.startsWith("sa_") || presented.length() > 200) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT key_id, name, roles, rate_limit_per_second FROM api_keys WHERE key_sha256 = ? AND revoked_at IS NULL")) {
            ps.setString(1, sha256(presented));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array roles = rs.getArray(3);
                Set<Role> set = EnumSet.noneOf(Role.class);
                Arrays.stream((Object[]) roles.getArray()).map(o -> Role.fromWire(o.toString())).forEach(set::add);
                // getObject, not getInt + wasNull: wasNull answers for the last column read, and the
                // constructor's arguments read key_id and name after the limit (a null limit became 0).
                Integer limit = rs.getObject(4, Integer.class);
                return Optional.of(new ApiKey(rs.getString(1), rs.getString(2), set, limit));
            }
        }
    }

    public static Set<Role> parseRoles(java.util.Collection<String> roles) {
        return roles.stream().flatMap(r -> Arrays.stream(r.split(","))).filter(r -> !r.isBlank())
                .map(Role::fromWire).collect(Collectors.toCollection(() -> EnumSet.noneOf(Role.class)));
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
