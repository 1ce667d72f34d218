package org.speechalign.feedback;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.speechalign.contracts.auth.ApiKeys;

/**
 * Resolves {@code Authorization: Bearer <key>} to an active key, caching answers (also "no such
 * key") for {@code ttl}, so a revocation (or a new key) takes effect within that time: a request
 * more than {@code ttl} after the revocation committed is refused. Within the TTL a cached key
 * costs a map lookup, no PostgreSQL round trip and no hashing.
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
    private final LongSupplier nanoClock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Authenticator(ApiKeys keys, Duration ttl) {
        this(keys, ttl, System::nanoTime);
    }

    /** {@code nanoClock}: a monotonic clock in nanoseconds (tests pass their own). */
    Authenticator(ApiKeys keys, Duration ttl, LongSupplier nanoClock) {
        this.keys = keys;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
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
            return c != null && nanoClock.getAsLong() - c.expiresAt < 0;
        } catch (Refused r) {
            return true;
        }
    }

    private static String presented(String authorization) throws Refused {
        if (authorization == null || authorization.isBlank()) {
            throw new Refused(Refusal.MISSING, "missing Authorization: Bearer <key> header");
        }
        // "Bearer", whitespace, the key (no regex: this runs for every request).
        String header = authorization.strip();
        int space = 0;
        while (space < header.length() && !Character.isWhitespace(header.charAt(space))) {
            space++;
        }
        String key = header.substring(space).strip();
        if (key.isEmpty() || !header.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new Refused(Refusal.MISSING, "the Authorization header must be 'Bearer <key>'");
        }
        return key;
    }

    private Optional<ApiKeys.ApiKey> lookup(String presented) throws SQLException {
        long now = nanoClock.getAsLong();
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
