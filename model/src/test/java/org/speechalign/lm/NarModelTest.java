package org.speechalign.lm;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.speechalign.corpus.Utterance;

class NarModelTest {

    static NarModel nar(NDManager m, LmConfig c, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        NarModel model = new NarModel(c);
        model.initialize(m, DataType.FLOAT32, new Shape(1));
        return model;
    }

    @Test
    void predictsEveryFineCodebookOfEveryFrameIndependentOfPadding() {
        LmConfig c = Tiny.config();
        try (NDManager m = NDManager.newBaseManager()) {
            NarModel model = nar(m, c, 1);
            List<Utterance> us = Tiny.corpus(3, 2);
            List<NarBatch.Item> items = us.stream().map(u -> Examples.nar(c, u)).toList();
            ParameterStore ps = new ParameterStore(m, false);
            int[][][] together = model.predict(ps, NarBatch.of(m, c, items));
            for (int i = 0; i < items.size(); i++) {
                int[][] alone = model.predict(ps, NarBatch.of(m, c, List.of(items.get(i))))[0];
                assertEquals(c.fineCodebooks(), alone.length);
                assertEquals(us.get(i).frameCount(), alone[0].length);
                assertArrayEquals(alone, together[i], "item " + i + " is not affected by the others' padding");
            }
            ArModel.Loss loss = model.loss(ps, NarBatch.of(m, c, items), false);
            assertTrue(Float.isFinite(loss.metrics()[0]) && loss.metrics()[0] > 0);
            // untrained: the loss is about log(fineSize) plus the smoothing's entropy
            assertTrue(loss.metrics()[0] < Math.log(c.fineSize()) + 3, "loss " + loss.metrics()[0]);
        }
    }

    @Test
    void orderedLossPrefersNearMissesOverFarMisses() {
        try (NDManager m = NDManager.newBaseManager()) {
            var target = m.create(new long[] {5});
            float near = Ops.orderedNll(m.create(logOneHot(10, 6)).reshape(1, 10), target, 1f).getFloat();
            float far = Ops.orderedNll(m.create(logOneHot(10, 9)).reshape(1, 10), target, 1f).getFloat();
            float exact = Ops.orderedNll(m.create(logOneHot(10, 5)).reshape(1, 10), target, 1f).getFloat();
            assertTrue(exact < near && near < far, exact + " < " + near + " < " + far);
        }
    }

    @Test
    void orderedLossEqualsTheGaussianOverAllLevels() {
        // the table lookup against the definition: weights exp(-(level-target)^2 / 2 sigma^2) over
        // every level, normalised; targets at both edges and in the middle, two widths
        int levels = 40;
        long[] targets = {0, 1, 17, 38, 39};
        java.util.Random random = new java.util.Random(7);
        float[] logits = new float[targets.length * levels];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) random.nextGaussian() * 3;
        for (float sigma : new float[] {1f, 1.5f}) {
            try (NDManager m = NDManager.newBaseManager()) {
                var logp = m.create(logits, new Shape(targets.length, levels)).logSoftmax(1);
                float[] got = Ops.orderedNll(logp, m.create(targets), sigma).toFloatArray();
                float[] lp = logp.toFloatArray();
                for (int r = 0; r < targets.length; r++) {
                    double norm = 0, dot = 0;
                    for (int l = 0; l < levels; l++) {
                        double w = Math.exp(-Math.pow(l - targets[r], 2) / (2 * sigma * sigma));
                        norm += w;
                        dot += w * lp[r * levels + l];
                    }
                    assertEquals(-dot / norm, got[r], 1e-4, "target " + targets[r] + ", sigma " + sigma);
                }
            }
        }
    }

    private static float[] logOneHot(int n, int at) {
        float[] p = new float[n];
        for (int i = 0; i < n; i++) p[i] = (float) Math.log(i == at ? 0.9 : 0.1 / (n - 1));
        return p;
    }
}
