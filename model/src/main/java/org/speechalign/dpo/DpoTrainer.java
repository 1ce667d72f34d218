package org.speechalign.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.speechalign.lm.ArBatch;
import org.speechalign.lm.ArModel;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.train.Batches;

/**
 * DPO on the AR model of a {@link CodecLm} (trained in place; the NAR model is frozen). Reference
 * log-probs come precomputed ({@link ReferenceLogProbs}); for comparison (the bench) a reference
 * model can instead run every step, in inference mode before the GradientCollector opens.
 *
 * <p>Each step takes {@code batchSize} pairs (a fresh seeded permutation per epoch), runs one policy
 * forward over the chosen and rejected sides together, computes {@link DpoLoss}, back-propagates,
 * clips the global gradient norm and applies Adam. Seeded: same model, pairs and config give the
 * same run on the same engine.
 */
public final class DpoTrainer {

    /** Receives every step's metrics (1-based step). */
    public interface StepListener {
        void onStep(int step, Map<String, Float> metrics);
    }

    /**
     * @param history metrics of every step (TRL's names plus grad_norm)
     * @param seconds training time (excluding reference precomputation)
     * @param tokens AR tokens processed (chosen + rejected, over all steps)
     */
    public record Result(List<Map<String, Float>> history, double seconds, long tokens) {
        public Map<String, Float> last() {
            return history.isEmpty() ? Map.of() : history.get(history.size() - 1);
        }
    }

    private final DpoConfig config;
    private StepListener listener = (s, m) -> {};

    public DpoTrainer(DpoConfig config) {
        this.config = config;
    }

    public DpoTrainer onStep(StepListener l) {
        this.listener = l;
        return this;
    }

    /** Precomputes the reference log-probs with {@code reference}'s AR model. */
    public static ReferenceLogProbs reference(CodecLm reference, PairSequences pairs, int batchSize) {
        return ReferenceLogProbs.compute(reference.ar(), reference.sha256(), reference.manager(), pairs, batchSize);
    }

    /** DPO with precomputed reference log-probs. */
    public Result train(CodecLm policy, PairSequences pairs, ReferenceLogProbs ref) {
        if (ref.chosen().length != pairs.size()) throw new IllegalArgumentException("reference log-probs do not match the pairs");
        return run(policy, pairs, ref, null);
    }

    /** DPO running {@code reference} every step (the slow baseline the bench measures). */
    public Result trainWithLiveReference(CodecLm policy, PairSequences pairs, ArModel reference) {
        return run(policy, pairs, null, reference);
    }

    private Result run(CodecLm policy, PairSequences pairs, ReferenceLogProbs ref, ArModel liveReference) {
        DpoConfig c = config;
        int b = Math.min(c.batchSize(), pairs.size());
        ArOptimizer opt = new ArOptimizer(policy.ar(), c.learningRate(), c.clip());
        List<Map<String, Float>> history = new ArrayList<>();
        long tokens = 0;
        long t0 = System.nanoTime();
        NDManager root = policy.manager();
        try (NDManager zero = root.newSubManager()) {
            opt.zero(zero);
        }
        for (int s = 0; s < c.steps(); s++) {
            int[] idx = Batches.of(c.seed(), s, pairs.lengths(), b);
            Engine.getInstance().setRandomSeed((int) (c.seed() * 1_000_003L + s));
            Map<String, Float> metrics;
            try (NDManager step = root.newSubManager()) {
                float[] rc, rr;
                if (liveReference != null) {
                    float[] lp = ReferenceLogProbs.forward(liveReference, step, pairs, idx);
                    rc = java.util.Arrays.copyOfRange(lp, 0, idx.length);
                    rr = java.util.Arrays.copyOfRange(lp, idx.length, 2 * idx.length);
                } else {
                    rc = ref.chosen(idx);
                    rr = ref.rejected(idx);
                }
                ArBatch batch = ArBatch.of(step, pairs.concatenated(idx));
                ParameterStore ps = new ParameterStore(step, false);
                DpoLoss.Output out;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray lp = policy.ar().sequenceLogProbs(ps, batch, !c.disableDropout());
                    NDArray pc = lp.get("0:" + idx.length);
                    NDArray pr = lp.get(idx.length + ":");
                    out = DpoLoss.compute(c, pc, pr, step.create(rc), step.create(rr), step.create(pairs.chosenTokens(idx)),
                            step.create(pairs.rejectedTokens(idx)));
                    gc.backward(out.loss());
                }
                double norm = opt.step(step);
                metrics = new LinkedHashMap<>(out.metrics());
                metrics.put(DpoLoss.GRAD_NORM, (float) norm);
            }
            tokens += pairs.tokens(idx);
            history.add(metrics);
            listener.onStep(s + 1, metrics);
        }
        return new Result(history, (System.nanoTime() - t0) / 1e9, tokens);
    }
}
