package org.speechalign.prefbuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Preference;
import org.speechalign.contracts.Preference.Side;
import org.speechalign.contracts.Preference.Source;
import org.speechalign.contracts.Synthesis;
import org.speechalign.prefbuilder.PairingState.EnrichedSynthesis;
import org.speechalign.prefbuilder.PairingState.RatedSynthesis;
import org.speechalign.prefbuilder.PairingState.RankMember;
import org.speechalign.prefbuilder.PairingState.RankedCandidate;
import org.speechalign.prefbuilder.PairingState.TextGroup;

/**
 * The pairing rules, as plain functions (the topology calls them; tests can too). Each returns
 * null (or an empty list) when its rule does not apply. {@code created_at} of a pair is taken from
 * its inputs, never from the clock, so a replay produces the very same record.
 */
public final class Pairs {

    private Pairs() {
    }

    /** golden_vs_synthetic: a self-play synthesis of a train-split utterance; golden chosen (the paper's dataset). */
    public static Preference goldenVsSynthetic(EnrichedSynthesis e) {
        Synthesis s = e.synthesis();
        GoldenUtterance g = e.golden();
        if (s.origin() != Synthesis.Origin.SELF_PLAY || g == null || !e.trainable() || !sameUtterance(s, g)) {
            return null;
        }
        return golden(Source.GOLDEN_VS_SYNTHETIC, g, s, s.createdAt());
    }

    /** golden_vs_low_rated: a product synthesis matching a train-split golden utterance, rated low by enough raters. */
    public static Preference goldenVsLowRated(RatedSynthesis r, PairingPolicy policy) {
        Synthesis s = r.enriched().synthesis();
        GoldenUtterance g = r.enriched().golden();
        if (s.origin() != Synthesis.Origin.PRODUCT || g == null || !r.enriched().trainable() || !sameUtterance(s, g)
                || r.ratings().raterCount() < policy.minRaters() || r.ratings().meanScore() > policy.lowRatedMaxMean()) {
            return null;
        }
        return golden(Source.GOLDEN_VS_LOW_RATED, g, s, latest(s.createdAt(), r.ratings().latestAt()));
    }

    /**
     * rating_ranked, step 1: the member of the group that changed against every other member it beats
     * or loses to by the margin (members are already rankable: trainable, enough raters).
     */
    public static List<RankedCandidate> ratingRankedCandidates(TextGroup group, PairingPolicy policy) {
        List<RankedCandidate> out = new ArrayList<>();
        RankMember changed = group.changed() == null ? null : group.members().get(group.changed());
        if (changed == null) {
            return out;
        }
        for (RankMember other : group.members().values()) {
            if (other.synthesisId().equals(changed.synthesisId())) {
                continue;
            }
            double diff = changed.meanScore() - other.meanScore();
            if (Math.abs(diff) + 1e-9 < policy.rankMargin()) {
                continue;
            }
            RankMember chosen = diff > 0 ? changed : other;
            RankMember rejected = diff > 0 ? other : changed;
            Instant at = latest(latest(chosen.createdAt(), chosen.latestRatingAt()), latest(rejected.createdAt(), rejected.latestRatingAt()));
            out.add(new RankedCandidate(chosen.synthesisId(), rejected.synthesisId(), at));
        }
        return out;
    }

    /** rating_ranked, step 2: the pair, once both syntheses (with tokens) are joined in and still trainable. */
    public static Preference ratingRanked(RankedCandidate c, EnrichedSynthesis chosen, EnrichedSynthesis rejected) {
        if (chosen == null || rejected == null || !chosen.trainable() || !rejected.trainable()
                || !sameText(chosen.synthesis(), rejected.synthesis())) {
            return null;
        }
        return synthetic(Source.RATING_RANKED, chosen.synthesis(), rejected.synthesis(), c.at());
    }

    /** comparison: an A/B choice (ties never reach here) between two trainable syntheses of the same text and speaker. */
    public static Preference comparison(Comparison c, EnrichedSynthesis a, EnrichedSynthesis b) {
        if (c.winner() == Comparison.Winner.TIE || a == null || b == null || !a.trainable() || !b.trainable()
                || !sameText(a.synthesis(), b.synthesis())) {
            return null;
        }
        Synthesis chosen = c.winner() == Comparison.Winner.A ? a.synthesis() : b.synthesis();
        Synthesis rejected = c.winner() == Comparison.Winner.A ? b.synthesis() : a.synthesis();
        Instant at = c.createdAt() != null ? c.createdAt() : latest(a.synthesis().createdAt(), b.synthesis().createdAt());
        return synthetic(Source.COMPARISON, chosen, rejected, at);
    }

    /** Key of a rating_ranked group: syntheses are comparable when they speak the same text with the same voice. */
    public static String textSpeakerKey(Synthesis s) {
        return s.speaker() + "\u0000" + s.text();
    }

    static boolean rankable(RatedSynthesis r, PairingPolicy policy) {
        return r.enriched().trainable() && r.ratings().raterCount() >= policy.minRaters();
    }

    private static Preference golden(Source source, GoldenUtterance g, Synthesis s, Instant at) {
        Side chosen = new Side(g.tokens(), null, g.utteranceId());
        Side rejected = new Side(s.tokens(), s.synthesisId(), null);
        return new Preference(Preference.pairIdOf(source, chosen, rejected), source, g.utteranceId(), g.text(),
                g.speaker(), g.phones(), chosen, rejected, s.modelVersion(), at);
    }

    private static Preference synthetic(Source source, Synthesis chosenS, Synthesis rejectedS, Instant at) {
        Side chosen = new Side(chosenS.tokens(), chosenS.synthesisId(), null);
        Side rejected = new Side(rejectedS.tokens(), rejectedS.synthesisId(), null);
        String utterance = chosenS.utteranceId() != null ? chosenS.utteranceId() : rejectedS.utteranceId();
        return new Preference(Preference.pairIdOf(source, chosen, rejected), source, utterance, chosenS.text(),
                chosenS.speaker(), chosenS.phones(), chosen, rejected, rejectedS.modelVersion(), at);
    }

    /** The synthesis names the utterance; the voice must be the golden one too (the text is the utterance's by construction). */
    private static boolean sameUtterance(Synthesis s, GoldenUtterance g) {
        return Objects.equals(s.speaker(), g.speaker());
    }

    private static boolean sameText(Synthesis a, Synthesis b) {
        return Objects.equals(a.speaker(), b.speaker()) && Objects.equals(a.text(), b.text());
    }

    static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }
}
