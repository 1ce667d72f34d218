package org.speechalign.prefbuilder;

import java.time.Duration;
import java.util.Map;

/**
 * The pairing policy: which syntheses, ratings and choices become preference pairs. Every field
 * has a documented default ({@link #DEFAULTS}); {@link #fromEnv} reads overrides.
 *
 * @param minRaters           distinct raters a synthesis needs before its mean score is trusted
 *                            (golden_vs_low_rated and rating_ranked). Default 3.
 * @param lowRatedMaxMean     golden_vs_low_rated: a product synthesis matching a golden utterance is
 *                            paired (golden chosen) when its mean score is at or below this. Default 2.0.
 * @param rankMargin          rating_ranked: two syntheses of the same text and speaker are paired when
 *                            their mean scores differ by at least this (higher mean is chosen). Default 1.0.
 * @param gracePeriod         how far behind the newest {@code created_at} already seen on its partition
 *                            an input may be and still be paired; older input is late: counted and sent
 *                            to the input's {@code .dlq} with reason {@code late: …} (original bytes kept,
 *                            replayable). Also how long state waits and ids are remembered: ratings
 *                            waiting for a synthesis and syntheses waiting for a golden utterance
 *                            expire (to their {@code .dlq}), first-wins ids are forgotten, once they lie
 *                            this far behind. Default 6 h.
 * @param maxRankedGroupSize  rating_ranked: most rated syntheses kept per (text, speaker) group; the
 *                            oldest drop out of the group (pairs already made stay). Default 64.
 */
public record PairingPolicy(int minRaters, double lowRatedMaxMean, double rankMargin, Duration gracePeriod,
                            int maxRankedGroupSize) {

    public static final PairingPolicy DEFAULTS = new PairingPolicy(3, 2.0, 1.0, Duration.ofHours(6), 64);

    public PairingPolicy {
        if (minRaters < 1) {
            throw new IllegalArgumentException("minRaters must be ≥ 1, was " + minRaters);
        }
        if (lowRatedMaxMean < 1 || lowRatedMaxMean > 5) {
            throw new IllegalArgumentException("lowRatedMaxMean must lie in [1, 5], was " + lowRatedMaxMean);
        }
        if (rankMargin <= 0 || rankMargin > 4) {
            throw new IllegalArgumentException("rankMargin must lie in (0, 4], was " + rankMargin);
        }
        if (gracePeriod == null || gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must be ≥ 0");
        }
        if (maxRankedGroupSize < 2) {
            throw new IllegalArgumentException("maxRankedGroupSize must be ≥ 2, was " + maxRankedGroupSize);
        }
    }

    public PairingPolicy withMinRaters(int n) {
        return new PairingPolicy(n, lowRatedMaxMean, rankMargin, gracePeriod, maxRankedGroupSize);
    }

    public PairingPolicy withLowRatedMaxMean(double v) {
        return new PairingPolicy(minRaters, v, rankMargin, gracePeriod, maxRankedGroupSize);
    }

    public PairingPolicy withRankMargin(double v) {
        return new PairingPolicy(minRaters, lowRatedMaxMean, v, gracePeriod, maxRankedGroupSize);
    }

    public PairingPolicy withGracePeriod(Duration d) {
        return new PairingPolicy(minRaters, lowRatedMaxMean, rankMargin, d, maxRankedGroupSize);
    }

    /**
     * Overrides from the environment: {@code PAIRING_MIN_RATERS}, {@code PAIRING_LOW_RATED_MAX_MEAN},
     * {@code PAIRING_RANK_MARGIN}, {@code PAIRING_GRACE_PERIOD} (ISO-8601, e.g. {@code PT6H}),
     * {@code PAIRING_MAX_RANKED_GROUP_SIZE}.
     */
    public static PairingPolicy fromEnv(Map<String, String> env) {
        PairingPolicy d = DEFAULTS;
        return new PairingPolicy(
                Integer.parseInt(env.getOrDefault("PAIRING_MIN_RATERS", Integer.toString(d.minRaters))),
                Double.parseDouble(env.getOrDefault("PAIRING_LOW_RATED_MAX_MEAN", Double.toString(d.lowRatedMaxMean))),
                Double.parseDouble(env.getOrDefault("PAIRING_RANK_MARGIN", Double.toString(d.rankMargin))),
                Duration.parse(env.getOrDefault("PAIRING_GRACE_PERIOD", d.gracePeriod.toString())),
                Integer.parseInt(env.getOrDefault("PAIRING_MAX_RANKED_GROUP_SIZE", Integer.toString(d.maxRankedGroupSize))));
    }
}
