package org.speechalign.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.migrations.Migrations;

/**
 * The key cache's bound, on a real PostgreSQL with a clock the test moves: a revoked key is
 * still accepted from the cache for at most the TTL after it was looked up, and refused after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticatorTest {

    static final Duration TTL = Duration.ofSeconds(5);

    ApiKeys keys;
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start() {
        var ds = SharedTestRuntime.get().postgres().dataSource();
        Migrations.migrate(ds);
        keys = new ApiKeys(ds);
    }

    @Test
    void aRevocationIsHonouredOnceTheCachedAnswerIsOlderThanTheTtl() throws Exception {
        String name = "auth-" + run;
        String secret = keys.create(name, EnumSet.of(ApiKeys.Role.INGEST), null).secret();
        Authenticator auth = new Authenticator(keys, TTL, now::get);
        String header = "Bearer " + secret;

        assertFalse(auth.cached(header));
        assertEquals(name, auth.require(header, ApiKeys.Role.INGEST).name());
        assertTrue(auth.cached(header));

        assertEquals(1, keys.revoke(name));
        now.addAndGet(TTL.toNanos() - 1); // within the documented bound: the cached answer still serves
        assertEquals(name, auth.require(header, ApiKeys.Role.INGEST).name());

        now.addAndGet(1); // the TTL has passed: PostgreSQL is asked again and the key is gone
        assertFalse(auth.cached(header));
        Authenticator.Refused refused = assertThrows(Authenticator.Refused.class, () -> auth.require(header, ApiKeys.Role.INGEST));
        assertEquals(Authenticator.Refusal.UNKNOWN, refused.refusal);
    }

    @Test
    void theHeaderIsBearerWhitespaceAndTheKey() throws Exception {
        String name = "auth-header-" + run;
        String secret = keys.create(name, EnumSet.of(ApiKeys.Role.INGEST), null).secret();
        Authenticator auth = new Authenticator(keys, TTL, now::get);

        assertEquals(name, auth.require("  bearer \t " + secret + "  ", ApiKeys.Role.INGEST).name());
        for (String bad : new String[] {null, "", "   ", "Bearer", "Bearer   ", "Basic " + secret, secret, "Bearer-" + secret}) {
            Authenticator.Refused r = assertThrows(Authenticator.Refused.class, () -> auth.require(bad, ApiKeys.Role.INGEST),
                    String.valueOf(bad));
            assertEquals(Authenticator.Refusal.MISSING, r.refusal, String.valueOf(bad));
        }
        Authenticator.Refused forbidden = assertThrows(Authenticator.Refused.class,
                () -> auth.require("Bearer " + secret, ApiKeys.Role.ADMIN));
        assertEquals(Authenticator.Refusal.FORBIDDEN, forbidden.refusal);
    }

    @Test
    void aKeyWithoutItsOwnRateHasNoneSoTheServiceDefaultApplies() throws Exception {
        ApiKeys.Created plain = keys.create("auth-norate-" + run, EnumSet.of(ApiKeys.Role.INGEST), null);
        ApiKeys.Created limited = keys.create("auth-rate-" + run, EnumSet.of(ApiKeys.Role.INGEST), 7);
        // a null rate once came back as 0 events/s: the key was refused for good after its first burst
        assertEquals(null, keys.lookup(plain.secret()).orElseThrow().rateLimitPerSecond());
        assertEquals(7, keys.lookup(limited.secret()).orElseThrow().rateLimitPerSecond());
    }
}
