package org.speechalign.dpo;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.speechalign.lm.ArBatch;
import org.speechalign.lm.ArModel;

/**
 * The reference model's summed log-probabilities of every pair's chosen and rejected side, computed
 * once before training (so the reference model need not run every step). Computed in inference mode:
 * no dropout, outside any GradientCollector, so no graph is built and the reference stays frozen.
 *
 * @param chosen per pair, log ref(chosen)
 * @param rejected per pair, log ref(rejected)
 * @param referenceSha256 the archive the reference model was loaded from (null if unsaved)
 * @param seconds time taken
 */
public record ReferenceLogProbs(double[] chosen, double[] rejected, String referenceSha256, double seconds) {

    public static ReferenceLogProbs compute(ArModel reference, String referenceSha256, NDManager manager, PairSequences pairs,
            int batchSize) {
        long t0 = System.nanoTime();
        int n = pairs.size();
        double[] c = new double[n], r = new double[n];
        for (int start = 0; start < n; start += batchSize) {
            int[] idx = new int[Math.min(batchSize, n - start)];
            for (int j = 0; j < idx.length; j++) idx[j] = start + j;
            float[] lp = forward(reference, manager, pairs, idx);
            for (int j = 0; j < idx.length; j++) {
                c[idx[j]] = lp[j];
                r[idx[j]] = lp[idx.length + j];
            }
        }
        return new ReferenceLogProbs(c, r, referenceSha256, (System.nanoTime() - t0) / 1e9);
    }

    /** One inference forward of the concatenated batch: chosen log-probs then rejected ones. */
    static float[] forward(ArModel model, NDManager manager, PairSequences pairs, int[] idx) {
        try (NDManager step = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(step, false);
            return model.sequenceLogProbs(ps, ArBatch.of(step, pairs.concatenated(idx)), false).toFloatArray();
        }
    }

    float[] chosen(int[] idx) {
        float[] out = new float[idx.length];
        for (int j = 0; j < idx.length; j++) out[j] = (float) chosen[idx[j]];
        return out;
    }

    float[] rejected(int[] idx) {
        float[] out = new float[idx.length];
        for (int j = 0; j < idx.length; j++) out[j] = (float) rejected[idx[j]];
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReferenceLogProbs x && Arrays.equals(chosen, x.chosen) && Arrays.equals(rejected, x.rejected)
                && java.util.Objects.equals(referenceSha256, x.referenceSha256);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(chosen) + Arrays.hashCode(rejected);
    }
}
