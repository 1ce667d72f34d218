package org.speechalign.dpo;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.SamplingConfig;

class PreferenceDatasetTest {

    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void goldenIsChosenOwnSamplesAreRejectedAndIdsAreDeterministic() {
        List<Utterance> all = Fixtures.corpus(10, 3);
        List<Utterance> train = Fixtures.train(all);
        var o = new PreferenceDataset.Options(2, new SamplingConfig(1.0, 0, 1.0, 6), 7, 4);
        try (CodecLm m = Fixtures.model(1)) {
            var a = PreferenceDataset.build(m, "abc", train, o, T);
            var b = PreferenceDataset.build(m, "abc", train, o, T);
            assertEquals(2 * train.size(), a.pairs().size() + a.droppedIdentical());
            assertEquals(a.pairs(), b.pairs(), "same model, seed and corpus: same pairs");
            PreferencePair p = a.pairs().get(0);
            Utterance u = train.stream().filter(x -> x.utteranceId().equals(p.utteranceId())).findFirst().orElseThrow();
            assertEquals(PreferencePair.Source.GOLDEN_VS_SYNTHETIC, p.source());
            assertArrayEquals(u.tokens()[0], p.chosen().coarse());
            assertEquals(u.utteranceId(), p.chosen().utteranceId());
            assertNotNull(p.rejected().synthesisId());
            assertEquals("abc", p.rejectedModelVersion());
            assertEquals(PreferencePair.pairIdOf(p.source(), p.chosen(), p.rejected()), p.pairId());
            assertEquals(32, p.pairId().length());
            assertEquals(a.pairs().size(), a.pairs().stream().map(PreferencePair::pairId).distinct().count(), "ids are unique");
            var other = PreferenceDataset.build(m, "abc", train, new PreferenceDataset.Options(2, o.sampling(), 8, 4), T);
            assertNotEquals(a.pairs().get(0).pairId(), other.pairs().get(0).pairId(), "another seed, other samples and ids");
        }
    }

    @Test
    void rankedPairsChooseTheRatersBestSampleOverEachWorseOneAndTiesMakeNoPair() {
        List<Utterance> train = Fixtures.train(Fixtures.corpus(12, 3));
        String tiedUtterance = train.get(0).utteranceId();
        // a rater that prefers shorter samples, and hears no difference in the first utterance's
        SampleScorer shorterIsBetter = (m, u, samples) -> samples.stream()
                .mapToDouble(g -> u.utteranceId().equals(tiedUtterance) ? 1 : g.frames()).toArray();
        var sampling = new SamplingConfig(1.0, 0, 1.0, 6);
        try (CodecLm m = Fixtures.model(1)) {
            var both = PreferenceDataset.build(m, "abc", train, new PreferenceDataset.Options(3, sampling, 7, 4,
                    PreferenceDataset.Pairing.BOTH), T, shorterIsBetter);
            List<PreferencePair> ranked = both.pairs().stream().filter(p -> p.source() == PreferencePair.Source.RATING_RANKED).toList();
            List<PreferencePair> golden = both.pairs().stream().filter(p -> p.source() == PreferencePair.Source.GOLDEN_VS_SYNTHETIC).toList();
            assertEquals(3 * train.size(), golden.size() + both.droppedIdentical(), "both: every sample also against golden");
            assertTrue(both.droppedTied() >= 1, "the first utterance's samples tie");
            assertFalse(ranked.isEmpty());
            assertFalse(Double.isNaN(both.sampleErrorRate()));
            int pairedUtterances = 0;
            for (Utterance u : train) {
                // the utterance's samples are the rejected sides of its golden pairs: the shortest is chosen over each longer one
                int[] lengths = golden.stream().filter(q -> q.utteranceId().equals(u.utteranceId()))
                        .mapToInt(q -> q.rejected().coarse().length).sorted().toArray();
                List<PreferencePair> own = ranked.stream().filter(p -> p.utteranceId().equals(u.utteranceId())).toList();
                long longer = u.utteranceId().equals(tiedUtterance) ? 0 : java.util.Arrays.stream(lengths).filter(l -> l > lengths[0]).count();
                assertEquals(longer, own.size(), u.utteranceId());
                if (!own.isEmpty()) pairedUtterances++;
                for (PreferencePair p : own) {
                    assertNotNull(p.chosen().synthesisId());
                    assertNotNull(p.rejected().synthesisId());
                    assertEquals(lengths[0], p.chosen().coarse().length);
                    assertTrue(p.rejected().coarse().length > lengths[0]);
                    assertEquals(PreferencePair.pairIdOf(p.source(), p.chosen(), p.rejected()), p.pairId());
                }
            }
            assertEquals(train.size(), pairedUtterances + both.droppedTied());
            var rankedOnly = PreferenceDataset.build(m, "abc", train, new PreferenceDataset.Options(3, sampling, 7, 4,
                    PreferenceDataset.Pairing.RANKED), T, shorterIsBetter);
            assertEquals(ranked, rankedOnly.pairs(), "the same samples and ranking without the golden pairs");
            assertTrue(Double.isNaN(PreferenceDataset.build(m, "abc", train, new PreferenceDataset.Options(3, sampling, 7, 4), T)
                    .sampleErrorRate()), "nothing scored for golden pairs");
            var noRater = new PreferenceDataset.Options(3, sampling, 7, 4, PreferenceDataset.Pairing.RANKED);
            assertThrows(IllegalArgumentException.class, () -> PreferenceDataset.build(m, "abc", train, noRater, T));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new PreferenceDataset.Options(1, sampling, 7, 4, PreferenceDataset.Pairing.RANKED), "one sample cannot be ranked");
    }

    @Test
    void heldOutUtterancesNeverBecomeTrainingPairs() {
        List<Utterance> all = Fixtures.corpus(10, 3);
        Utterance test = all.stream().filter(u -> u.split() == Split.TEST).findFirst().orElseThrow();
        try (CodecLm m = Fixtures.model(1)) {
            var o = PreferenceDataset.Options.defaults(1);
            assertThrows(IllegalArgumentException.class, () -> PreferenceDataset.build(m, "v", List.of(test), o, T));
            assertFalse(PreferenceDataset.heldOut(m, "v", List.of(test), o, T).pairs().isEmpty());
        }
    }

    @Test
    void pairIdFollowsTheContractAndJsonUsesTheEventNames() throws Exception {
        var chosen = PreferencePair.Side.golden("u1", new int[][] {{1, 2}, {3, 4}}, new int[] {2});
        var rejected = PreferencePair.Side.synthesis("s9", new int[] {5}, new int[] {1});
        var p = PreferencePair.of(PreferencePair.Source.GOLDEN_VS_LOW_RATED, "u1", "hi", "slt", List.of("hh"), chosen, rejected, "v1", T);
        var md = java.security.MessageDigest.getInstance("SHA-256");
        String want = java.util.HexFormat.of().formatHex(md.digest("golden_vs_low_rated|golden:u1|synthesis:s9".getBytes()), 0, 16);
        assertEquals(want, p.pairId());
        ObjectMapper json = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        String s = json.writeValueAsString(p);
        for (String field : List.of("pair_id", "source", "utterance_id", "text", "speaker", "phones", "chosen", "rejected",
                "rejected_model_version", "created_at", "synthesis_id", "\"golden_vs_low_rated\"")) {
            assertTrue(s.contains(field), field + " in " + s);
        }
        assertEquals(p, json.readValue(s, PreferencePair.class));
        assertThrows(IllegalArgumentException.class, () -> PreferencePair.Side.synthesis("x", new int[] {1, 2}, new int[] {1}));
    }
}
