package org.speechalign.prefbuilder;

import java.time.Instant;
import java.util.Comparator;
import java.util.TreeMap;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Synthesis;

/** The values pref-builder keeps in its state stores (JSON, via {@link JsonSerde}). */
public final class PairingState {

    private PairingState() {
    }

    /** One rater's current score of a synthesis (their newest rating; ties broken by rating_id). */
    public record RaterScore(String ratingId, int score, Instant createdAt) {
        boolean supersedes(RaterScore other) {
            int byTime = Comparator.nullsFirst(Comparator.<Instant>naturalOrder()).compare(createdAt, other.createdAt);
            return byTime > 0 || (byTime == 0 && ratingId.compareTo(other.ratingId) > 0);
        }
    }

    /**
     * Aggregated ratings of one synthesis: one score per rater (distinct raters count, a rater who
     * rates again replaces their score). Order-independent, so replays and reordering agree.
     */
    public record RatingSummary(TreeMap<String, RaterScore> byRater) {
        public static RatingSummary empty() {
            return new RatingSummary(new TreeMap<>());
        }

        public RatingSummary add(String raterId, RaterScore s) {
            TreeMap<String, RaterScore> next = new TreeMap<>(byRater);
            RaterScore current = next.get(raterId);
            if (current == null || s.supersedes(current)) {
                next.put(raterId, s);
            }
            return new RatingSummary(next);
        }

        public int raterCount() {
            return byRater.size();
        }

        public double meanScore() {
            return byRater.values().stream().mapToInt(RaterScore::score).average().orElse(Double.NaN);
        }

        public Instant latestAt() {
            return byRater.values().stream().map(RaterScore::createdAt).filter(t -> t != null)
                    .max(Comparator.naturalOrder()).orElse(null);
        }
    }

    /**
     * A synthesis with the golden utterance its {@code utterance_id} names (null when it names none or
     * the golden record has not arrived yet).
     */
    public record EnrichedSynthesis(Synthesis synthesis, GoldenUtterance golden) {
        /**
         * May this synthesis be trained on? Only when it names no golden utterance, or names one that
         * has arrived and is in the train split. A synthesis whose golden utterance has not arrived is
         * held back (it might be a test sentence) until the golden record comes.
         */
        public boolean trainable() {
            if (synthesis.utteranceId() == null) {
                return true;
            }
            return golden != null && golden.split() == GoldenUtterance.Split.TRAIN;
        }
    }

    /** A synthesis and its aggregated ratings. */
    public record RatedSynthesis(EnrichedSynthesis enriched, RatingSummary ratings) {
        public String synthesisId() {
            return enriched.synthesis().synthesisId();
        }
    }

    /**
     * What rating_ranked needs to know of one rated synthesis: ids, scores and times, no tokens (a
     * group of 64 members stays a few kilobytes; tokens are looked up only for the pairs made).
     */
    public record RankMember(String synthesisId, double meanScore, int raterCount, Instant createdAt, Instant latestRatingAt) {
        public static RankMember of(RatedSynthesis r) {
            return new RankMember(r.synthesisId(), r.ratings().meanScore(), r.ratings().raterCount(),
                    r.enriched().synthesis().createdAt(), r.ratings().latestAt());
        }
    }

    /**
     * The rated syntheses of one (speaker, text), for rating_ranked, and which member changed last
     * (only pairs involving it are emitted, so an update costs O(group), not O(group²)).
     */
    public record TextGroup(TreeMap<String, RankMember> members, String changed) {
        public static TextGroup empty() {
            return new TextGroup(new TreeMap<>(), null);
        }

        public TextGroup put(RankMember r, int maxSize) {
            TreeMap<String, RankMember> next = new TreeMap<>(members);
            next.put(r.synthesisId(), r);
            while (next.size() > maxSize) {
                String oldest = next.values().stream()
                        .min(Comparator.comparing(RankMember::createdAt).thenComparing(RankMember::synthesisId))
                        .map(RankMember::synthesisId).orElseThrow();
                next.remove(oldest);
            }
            return new TextGroup(next, r.synthesisId());
        }

        public TextGroup remove(RankMember r) {
            TreeMap<String, RankMember> next = new TreeMap<>(members);
            next.remove(r.synthesisId());
            return new TextGroup(next, null);
        }
    }

    /** A rating_ranked decision before its tokens are looked up: chosen beats rejected by the margin. */
    public record RankedCandidate(String chosenId, String rejectedId, Instant at) {
        public String key() {
            return chosenId + ">" + rejectedId;
        }
    }

    /** A ranked candidate with its chosen synthesis (half-way through the two foreign-key joins). */
    public record RankedWithChosen(RankedCandidate candidate, EnrichedSynthesis chosen) {
    }

    /** A comparison and the first synthesis it names (half-way through the two foreign-key joins). */
    public record ComparisonWithA(org.speechalign.contracts.Comparison comparison, EnrichedSynthesis a) {
    }

}
