package org.speechalign.lm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.speechalign.lm.CoarseLayout;

class GapClassifierTest {

    private static final CoarseLayout K = CoarseLayout.CODEC2_3200;

    /** Coarse sequences from a random process: phone durations around {@code meanDur}, pitch a random walk of step {@code pitchStep}. */
    static List<double[]> sequences(int count, long seed, int meanDur, int pitchStep) {
        Random r = new Random(seed);
        List<double[]> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int phones = 20 + r.nextInt(20);
            int[] dur = new int[phones];
            int frames = 0;
            for (int i = 0; i < phones; i++) frames += dur[i] = Math.max(0, meanDur + r.nextInt(5) - 2);
            int[] coarse = new int[frames];
            int v = 3, e = 16, w = 50;
            for (int t = 0; t < frames; t++) {
                if (r.nextInt(10) == 0) v = r.nextInt(4);
                e = Math.max(0, Math.min(31, e + r.nextInt(3) - 1));
                w = Math.max(0, Math.min(127, w + r.nextInt(2 * pitchStep + 1) - pitchStep));
                coarse[t] = K.join(v, e, w);
            }
            out.add(CoarseFeatures.of(K, dur, coarse));
        }
        return out;
    }

    @Test
    void separatesClearlyDifferentDistributions() {
        GapClassifier c = GapClassifier.train(sequences(150, 1, 4, 1), sequences(150, 2, 6, 6), DistributionGap.L2, DistributionGap.ITERATIONS);
        GapClassifier.Result r = c.evaluate(sequences(150, 3, 4, 1), sequences(150, 4, 6, 6));
        assertTrue(r.accuracy() > 0.95, "accuracy " + r.accuracy());
        assertTrue(r.auc() > 0.98, "auc " + r.auc());
        assertTrue(r.accuracyLow() <= r.accuracy() && r.accuracy() <= r.accuracyHigh());
    }

    @Test
    void isNearChanceOnIdenticalDistributions() {
        GapClassifier c = GapClassifier.train(sequences(150, 5, 4, 2), sequences(150, 6, 4, 2), DistributionGap.L2, DistributionGap.ITERATIONS);
        GapClassifier.Result r = c.evaluate(sequences(300, 7, 4, 2), sequences(300, 8, 4, 2));
        assertEquals(0.5, r.accuracy(), 0.08, "accuracy " + r.accuracy());
        assertEquals(0.5, r.auc(), 0.1, "auc " + r.auc());
        assertTrue(r.accuracyLow() < 0.5 + 0.03, "interval " + r.accuracyLow() + ".." + r.accuracyHigh());
    }

    @Test
    void featuresOfAConstantSequenceAreFinite() {
        double[] f = CoarseFeatures.of(K, new int[] {0, 3, 2}, new int[] {K.join(0, 0, 0), K.join(0, 0, 0), K.join(0, 0, 0), K.join(0, 0, 0), K.join(0, 0, 0)});
        assertEquals(CoarseFeatures.NAMES.size(), f.length);
        for (double x : f) assertTrue(Double.isFinite(x));
        assertEquals(1.0, f[4], 1e-9); // all unvoiced
        assertEquals(1.0 / 3, f[3], 1e-9); // one zero-frame phone of three
    }
}
