package org.speechalign.prefbuilder;

import java.time.Duration;
import java.util.Map;

/**
 * When unbatched preference pairs become a training batch.
 *
 * @param threshold     a batch is closed as soon as this many pairs are unbatched; it holds exactly
 *                      this many (the oldest first). Default 512.
 * @param maxAge        a smaller batch (≥ 1 pair) is closed when the oldest unbatched pair has waited
 *                      this long. Default 30 min.
 * @param checkInterval how often each instance looks, besides after every sink flush. Default 1 s.
 */
public record BatchPolicy(int threshold, Duration maxAge, Duration checkInterval) {

    public static final BatchPolicy DEFAULTS = new BatchPolicy(512, Duration.ofMinutes(30), Duration.ofSeconds(1));

    public BatchPolicy {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be ≥ 1, was " + threshold);
        }
        if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be > 0");
        }
        if (checkInterval == null || checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be > 0");
        }
    }

    /** {@code BATCH_THRESHOLD}, {@code BATCH_MAX_AGE} (ISO-8601), {@code BATCH_CHECK_INTERVAL} (ISO-8601). */
    public static BatchPolicy fromEnv(Map<String, String> env) {
        BatchPolicy d = DEFAULTS;
        return new BatchPolicy(
                Integer.parseInt(env.getOrDefault("BATCH_THRESHOLD", Integer.toString(d.threshold))),
                Duration.parse(env.getOrDefault("BATCH_MAX_AGE", d.maxAge.toString())),
                Duration.parse(env.getOrDefault("BATCH_CHECK_INTERVAL", d.checkInterval.toString())));
    }
}
