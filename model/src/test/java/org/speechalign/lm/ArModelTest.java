package org.speechalign.lm;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.speechalign.corpus.Utterance;

class ArModelTest {

    @Test
    void sequenceLayoutIsPhoneByPhoneWithAdvanceTokens() {
        LmConfig c = Tiny.config();
        int[] coarse = {c.coarse().join(1, 2, 3), c.coarse().join(3, 4, 5), c.coarse().join(0, 0, 0)};
        ArSequence s = ArSequence.of(c, 1, new int[] {2, 3}, new int[] {2, 1}, coarse);
        assertEquals(5, s.length());
        assertArrayEquals(new int[] {0, 0, 1, 0, 1}, s.outKind);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, s.phoneIndex);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, s.posInPhone);
        assertArrayEquals(new int[] {ArSequence.BOS, ArSequence.FRAME, ArSequence.FRAME, ArSequence.ADVANCE, ArSequence.FRAME}, s.prevKind);
        assertEquals(5, s.lastW[2], "after two frames the last pitch is the second frame's");
        assertEquals(5, s.lastW[3], "ADVANCE keeps the last frame's fields visible");
        assertArrayEquals(new int[] {2, 1}, ArSequence.fitDurations(new int[] {2, 0}, 3));
        assertArrayEquals(new int[] {2, 0}, ArSequence.fitDurations(new int[] {2, 3}, 2));
    }

    @Test
    void changingFutureTokensLeavesPastLogitsUnchanged() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            ArModel model = Tiny.ar(m, c, 1);
            Utterance u = Tiny.corpus(1, 3).get(0);
            int[] coarse = u.tokens()[0].clone();
            int[] changed = coarse.clone();
            int cut = coarse.length / 2;
            for (int f = cut; f < changed.length; f++) changed[f] = (changed[f] * 31 + 7) % c.coarse().size();
            ArSequence a = ArSequence.of(c, 1, Examples.phoneIds(c, u.phones()), Examples.durations(u), coarse);
            ArSequence b = ArSequence.of(c, 1, Examples.phoneIds(c, u.phones()), Examples.durations(u), changed);
            float[] la = tokenLogProbs(m, model, a);
            float[] lb = tokenLogProbs(m, model, b);
            // step t's output is the token at t; its inputs hold tokens < t. Find the first step whose
            // target is a changed frame: every step up to it (inclusive) sees only unchanged tokens.
            int firstChanged = -1, frame = 0;
            for (int t = 0; t < a.length(); t++) {
                if (a.outKind[t] == ArSequence.OUT_FRAME) {
                    if (frame == cut) { firstChanged = t; break; }
                    frame++;
                }
            }
            assertTrue(firstChanged > 0);
            for (int t = 0; t < firstChanged; t++) {
                assertEquals(la[t], lb[t], 1e-5, "step " + t + " must not see the future");
            }
            boolean differs = false;
            for (int t = firstChanged; t < a.length(); t++) differs |= Math.abs(la[t] - lb[t]) > 1e-4;
            assertTrue(differs, "later steps do see the changed tokens");
        }
    }

    @Test
    void paddingInABatchDoesNotChangeLogProbs() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            ArModel model = Tiny.ar(m, c, 2);
            List<Utterance> us = Tiny.corpus(3, 5);
            List<ArSequence> seqs = us.stream().map(u -> Examples.ar(c, u)).toList();
            ParameterStore ps = new ParameterStore(m, false);
            float[] together = model.sequenceLogProbs(ps, ArBatch.of(m, seqs), false).toFloatArray();
            for (int i = 0; i < seqs.size(); i++) {
                float alone = model.sequenceLogProbs(ps, ArBatch.of(m, List.of(seqs.get(i))), false).toFloatArray()[0];
                assertEquals(alone, together[i], 1e-3, "sequence " + i);
            }
        }
    }

    @Test
    void kvCacheGenerationEqualsFullRecomputation() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            ArModel model = Tiny.ar(m, c, 3);
            List<GenerationRequest> reqs = requests(Tiny.corpus(3, 9));
            SamplingConfig s = new SamplingConfig(1.0, 0, 1.0, 6);
            ArGenerator g = new ArGenerator(model);
            List<float[]> cached = new ArrayList<>();
            List<float[]> full = new ArrayList<>();
            List<Generated> a = g.generate(m, reqs, s, true, cached::add);
            List<Generated> b = g.generate(m, reqs, s, false, full::add);
            assertEquals(b, a);
            assertEquals(full.size(), cached.size());
            for (int t = 0; t < full.size(); t++) {
                for (int j = 0; j < full.get(t).length; j++) {
                    assertEquals(full.get(t)[j], cached.get(t)[j], 1e-4, "step " + t);
                }
            }
            for (int i = 0; i < reqs.size(); i++) {
                Generated gi = a.get(i);
                assertEquals(reqs.get(i).phones().size(), gi.durations().length);
                assertEquals(gi.frames(), java.util.Arrays.stream(gi.durations()).sum());
                assertTrue(java.util.Arrays.stream(gi.durations()).allMatch(d -> d <= 6));
            }
        }
    }

    @Test
    void generationIsSeededAndIndependentOfBatching() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            ArModel model = Tiny.ar(m, c, 4);
            List<GenerationRequest> reqs = requests(Tiny.corpus(3, 11));
            SamplingConfig s = new SamplingConfig(0.9, 8, 0.95, 8);
            ArGenerator g = new ArGenerator(model);
            List<Generated> batch = g.generate(m, reqs, s, true);
            assertEquals(batch, g.generate(m, reqs, s, true), "same seeds, same tokens");
            for (int i = 0; i < reqs.size(); i++) {
                assertEquals(batch.get(i), g.generate(m, List.of(reqs.get(i)), s, true).get(0), "request " + i + " alone");
            }
            GenerationRequest other = new GenerationRequest(reqs.get(0).speaker(), reqs.get(0).phones(), 12345);
            assertNotEquals(batch.get(0), g.generate(m, List.of(other), s, true).get(0), "another seed, other tokens");
        }
    }

    @Test
    void givenDurationsAreKeptAndOnlyTheFramesCoarseTokensSampled() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            ArModel model = Tiny.ar(m, c, 4);
            List<Utterance> us = Tiny.corpus(3, 11);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < us.size(); i++) {
                int[] golden = Examples.durations(us.get(i));
                golden[0] = 12; // longer than maxFramesPerPhone below: given durations are not capped
                reqs.add(new GenerationRequest(us.get(i).speaker(), Examples.symbols(us.get(i).phones()), 100 + i,
                        java.util.Arrays.stream(golden).boxed().toList()));
            }
            SamplingConfig s = new SamplingConfig(0.9, 8, 0.95, 8);
            ArGenerator g = new ArGenerator(model);
            List<Generated> out = g.generate(m, reqs, s, true);
            assertEquals(out, g.generate(m, reqs, s, false), "cache or not, the same tokens");
            for (int i = 0; i < reqs.size(); i++) {
                int[] want = reqs.get(i).durations().stream().mapToInt(Integer::intValue).toArray();
                assertArrayEquals(want, out.get(i).durations(), "request " + i);
                assertEquals(java.util.Arrays.stream(want).sum(), out.get(i).coarse().length, "a coarse token per frame, request " + i);
            }
            GenerationRequest sampled = new GenerationRequest(reqs.get(0).speaker(), reqs.get(0).phones(), 100);
            assertFalse(java.util.Arrays.equals(out.get(0).durations(), g.generate(m, List.of(sampled), s, true).get(0).durations()),
                    "without given durations the model chooses them");
        }
        assertThrows(IllegalArgumentException.class, () -> new GenerationRequest("s", List.of("a", "b"), 1, List.of(3)));
        assertThrows(IllegalArgumentException.class, () -> new GenerationRequest("s", List.of("a"), 1, List.of(-1)));
    }

    @Test
    void generationLeavesNothingBehindInTheModelsManager() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            ArModel model = Tiny.ar(m, c, 4);
            List<GenerationRequest> reqs = requests(Tiny.corpus(3, 11));
            ArGenerator g = new ArGenerator(model);
            g.generate(m, reqs, SamplingConfig.DEFAULT, true); // first use may initialise lazily
            int before = ((BaseNDManager) m).getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                g.generate(m, reqs, SamplingConfig.DEFAULT, true);
                g.generate(m, reqs, SamplingConfig.DEFAULT, false);
            }
            // a long-lived serving model generates millions of times: no array may outlive its call
            assertEquals(before, ((BaseNDManager) m).getManagedArrays().size());
        }
    }

    @Test
    void samplerHonoursTopKTopPAndTemperature() {
        float[] logp = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        var r = new java.util.SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            assertEquals(0, Sampler.sample(logp, 0, 3, new SamplingConfig(1, 1, 1, 5), r));
            assertEquals(0, Sampler.sample(logp, 0, 3, new SamplingConfig(1, 0, 0.4, 5), r));
            assertEquals(0, Sampler.sample(logp, 0, 3, new SamplingConfig(0, 0, 1, 5), r));
            assertNotEquals(2, Sampler.sample(logp, 0, 3, new SamplingConfig(1, 0, 0.8, 5), r));
        }
        int[] counts = new int[3];
        for (int i = 0; i < 20000; i++) counts[Sampler.sample(logp, 0, 3, SamplingConfig.DEFAULT, r)]++;
        assertEquals(0.5, counts[0] / 20000.0, 0.02);
        assertEquals(0.2, counts[2] / 20000.0, 0.02);
    }

    static List<GenerationRequest> requests(List<Utterance> us) {
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < us.size(); i++) {
            reqs.add(new GenerationRequest(us.get(i).speaker(), Examples.symbols(us.get(i).phones()), 100 + i));
        }
        return reqs;
    }

    private static float[] tokenLogProbs(NDManager m, ArModel model, ArSequence s) {
        try (NDManager sub = m.newSubManager()) {
            NDArray lp = model.tokenLogProbs(new ParameterStore(sub, false), ArBatch.of(sub, List.of(s)), false);
            return lp.toFloatArray();
        }
    }
}
