package org.speechalign.loop.auth;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.speechalign.contracts.auth.ApiKeys;

/**
 * {@code Authorization: Bearer <key>} → an active key holding a role, with answers (including "no
 * such key") cached for {@code ttl}, so a revocation takes effect within that time. Same rules as
 * the feedback-service's authenticator: 401 for a missing or unknown key, 403 for a missing role.
 */
public final class KeyAuthenticator {

    /** Why a request was refused: {@code status} is 401 or 403. */
    public static final class Refused extends Exception {
        public final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private record Cached(Optional<ApiKeys.ApiKey> key, long expiresAt) {
    }

    private static final int MAX_CACHED = 10_000;
    private final ApiKeys keys;
    private final long ttlNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public KeyAuthenticator(ApiKeys keys, Duration ttl) {
        this.keys = keys;
        this.ttlNanos = ttl.toNanos();
    }

    public ApiKeys.ApiKey require(String authorization, ApiKeys.Role role) throws Refused, SQLException {
        if (authorization == null || authorization.isBlank()) throw new Refused(401, "missing Authorization: Bearer <key> header");
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) throw new Refused(401, "the Authorization header must be 'Bearer <key>'");
        ApiKeys.ApiKey key = lookup(parts[1].trim()).orElseThrow(() -> new Refused(401, "unknown or revoked API key"));
        if (!key.has(role)) throw new Refused(403, "API key '" + key.name() + "' lacks the " + role.wire() + " role");
        return key;
    }

    private Optional<ApiKeys.ApiKey> lookup(String presented) throws SQLException {
        long now = System.nanoTime();
        Cached cached = cache.get(presented);
        if (cached != null && now - cached.expiresAt < 0) return cached.key;
        Optional<ApiKeys.ApiKey> key = keys.lookup(presented);
        if (cache.size() >= MAX_CACHED) cache.clear();
        cache.put(presented, new Cached(key, now + ttlNanos));
        return key;
    }
}
