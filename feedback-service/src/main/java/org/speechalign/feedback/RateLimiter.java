package org.speechalign.feedback;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key and service instance: {@code rate} events per second, bursts up to
 * {@code max(rate, burstFloor)} so that one full batch is possible for any key.
 */
final class RateLimiter {

    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.refilledAt = at;
        }
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int burstFloor;

    RateLimiter(int burstFloor) {
        this.burstFloor = burstFloor;
    }

    /** Takes {@code events} tokens when available; returns the seconds to wait otherwise (0 = allowed). */
    long tryAcquire(String keyId, int events, int ratePerSecond) {
        double capacity = Math.max(ratePerSecond, burstFloor);
        long now = System.nanoTime();
        Bucket b = buckets.computeIfAbsent(keyId, k -> new Bucket(capacity, now));
        synchronized (b) {
            b.tokens = Math.min(capacity, b.tokens + (now - b.refilledAt) / 1e9 * ratePerSecond);
            b.refilledAt = now;
            if (b.tokens >= events) {
                b.tokens -= events;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((events - b.tokens) / ratePerSecond));
        }
    }
}
