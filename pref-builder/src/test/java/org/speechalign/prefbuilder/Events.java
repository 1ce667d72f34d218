package org.speechalign.prefbuilder;

import java.time.Instant;
import java.util.List;
import org.speechalign.contracts.CodecSpec;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Synthesis;

/** Small valid events for tests. */
final class Events {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private Events() {
    }

    static int[][] tokens(int seed) {
        int[][] t = new int[2][6];
        for (int cb = 0; cb < 2; cb++) {
            for (int f = 0; f < 6; f++) {
                t[cb][f] = (seed * 31 + cb * 7 + f) % 256;
            }
        }
        return t;
    }

    static GoldenUtterance golden(String id, String text, GoldenUtterance.Split split) {
        return new GoldenUtterance(id, text, "slt", List.of(new PhoneFrames("pau", 2), new PhoneFrames("hh", 4)),
                tokens(id.hashCode()), new CodecSpec("codec2", "3200"), split, "test-corpus-1");
    }

    static Synthesis selfPlay(String id, GoldenUtterance g, Instant at) {
        return new Synthesis(id, Synthesis.Origin.SELF_PLAY, g.utteranceId(), g.text(), g.speaker(),
                List.of(new PhoneFrames("pau", 3), new PhoneFrames("hh", 3)), tokens(id.hashCode()), "v1",
                new Synthesis.Sampling(1.0, 50, null, 7L), at);
    }

    static Synthesis product(String id, String utteranceId, String text, String modelVersion, Instant at) {
        return new Synthesis(id, Synthesis.Origin.PRODUCT, utteranceId, text, "slt",
                List.of(new PhoneFrames("pau", 3), new PhoneFrames("hh", 3)), tokens(id.hashCode()), modelVersion,
                new Synthesis.Sampling(0.8, null, 0.9, 11L), at);
    }

    static Rating rating(String ratingId, String synthesisId, String rater, int score, Instant at) {
        return new Rating(ratingId, synthesisId, rater, score, at);
    }

    static Comparison comparison(String id, String a, String b, Comparison.Winner w, Instant at) {
        return new Comparison(id, a, b, w, "rater-x", at);
    }
}
