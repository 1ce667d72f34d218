package org.speechalign.feedback;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.speechalign.contracts.auth.ApiKeys;

/**
 * Resolves {@code Authorization: Bearer <key>} to an active key, caching answers (also "no such
 * key") for {@code ttl}, so a revocation takes effect within that time.
 */
final class Authenticator {

    /** Why a request was refused. */
    enum Refusal { MISSING, UNKNOWN, FORBIDDEN }

    static final class Refused extends Exception {
        final Refusal refusal;

        Refused(Refusal refusal, String message) {
            super(message, null, false, false);
            this.refusal = refusal;
        }
    }

    private record Cached(Optional<ApiKeys.ApiKey> key, long expiresAt) {
    }

    private static final int MAX_CACHED = 10_000;
    private final ApiKeys keys;
    private final long ttlNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Authenticator(ApiKeys keys, Duration ttl) {
        this.keys = keys;
        this.ttlNanos = ttl.toNanos();
    }

    /** The key behind the header, holding {@code role}; otherwise {@link Refused}. */
    ApiKeys.ApiKey require(String authorization, ApiKeys.Role role) throws Refused, SQLException {
        ApiKeys.ApiKey key = lookup(presented(authorization))
                .orElseThrow(() -> new Refused(Refusal.UNKNOWN, "unknown or revoked API key"));
        if (!key.has(role)) {
            throw new Refused(Refusal.FORBIDDEN, "API key '" + key.name() + "' lacks the " + role.wire() + " role");
        }
        return key;
    }

    /** Whether {@link #require} can answer for this header without asking PostgreSQL. */
    boolean cached(String authorization) {
        try {
            Cached c = cache.get(presented(authorization));
            return c != null && System.nanoTime() - c.expiresAt < 0;
        } catch (Refused r) {
            return true;
        }
    }

    private static String presented(String authorization) throws Refused {
        if (authorization == null || authorization.isBlank()) {
            throw new Refused(Refusal.MISSING, "missing Authorization: Bearer <key> header");
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new Refused(Refusal.MISSING, "the Authorization header must be 'Bearer <key>'");
        }
        return parts[1].trim();
    }

    private Optional<ApiKeys.ApiKey> lookup(String presented) throws SQLException {
        long now = System.nanoTime();
        Cached cached = cache.get(presented);
        if (cached != null && now - cached.expiresAt < 0) {
            return cached.key;
        }
        Optional<ApiKeys.ApiKey> key = keys.lookup(presented);
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(presented, new Cached(key, now + ttlNanos));
        return key;
    }
}
