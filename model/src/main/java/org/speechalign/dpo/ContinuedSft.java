package org.speechalign.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.ArBatch;
import org.speechalign.lm.ArModel;
import org.speechalign.lm.ArSequence;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.train.Batches;

/**
 * Continued supervised training of the AR model on golden utterances (the model's own supervised
 * objective, {@link ArModel#loss}), with the same optimiser, learning rate, batch size, clipping and
 * step count as a DPO run: the paper's ablation ("more SFT on the same golden tokens"). NAR frozen.
 */
public final class ContinuedSft {

    private ContinuedSft() {}

    /** Which loss continued SFT minimises. */
    public enum Objective {
        /** the model's own supervised loss (Gaussian-smoothed ordered fields), as in base training */
        MODEL,
        /** the exact per-token negative log-likelihood: the same objective as DPO's SFT term */
        EXACT;

        public static Objective parse(String s) {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    public static DpoTrainer.Result train(CodecLm model, List<Utterance> golden, DpoConfig c, DpoTrainer.StepListener listener) {
        return train(model, golden, c, Objective.MODEL, listener);
    }

    public static DpoTrainer.Result train(CodecLm model, List<Utterance> golden, DpoConfig c, Objective objective,
            DpoTrainer.StepListener listener) {
        List<ArSequence> seqs = new ArrayList<>();
        for (Utterance u : golden) {
            if (u.split() == Split.TEST) throw new IllegalArgumentException("utterance " + u.utteranceId() + " is held out (test split)");
            seqs.add(Examples.ar(model.config(), u));
        }
        int b = Math.min(c.batchSize(), seqs.size());
        int[] lengths = seqs.stream().mapToInt(ArSequence::length).toArray();
        ArOptimizer opt = new ArOptimizer(model.ar(), c.learningRate(), c.clip());
        List<Map<String, Float>> history = new ArrayList<>();
        long tokens = 0;
        long t0 = System.nanoTime();
        try (NDManager zero = model.manager().newSubManager()) {
            opt.zero(zero);
        }
        for (int s = 0; s < c.steps(); s++) {
            int[] idx = Batches.of(c.seed(), s, lengths, b);
            Engine.getInstance().setRandomSeed((int) (c.seed() * 1_000_003L + s));
            List<ArSequence> batch = new ArrayList<>();
            for (int i : idx) {
                batch.add(seqs.get(i));
                tokens += seqs.get(i).length();
            }
            Map<String, Float> m = new LinkedHashMap<>();
            try (NDManager step = model.manager().newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                ArBatch ab = ArBatch.of(step, batch);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    if (objective == Objective.MODEL) {
                        ArModel.Loss loss = model.ar().loss(ps, ab, !c.disableDropout());
                        gc.backward(loss.value());
                        for (int i = 0; i < ArModel.METRICS.size(); i++) m.put(ArModel.METRICS.get(i), loss.metrics()[i]);
                    } else {
                        long n = 0;
                        for (ArSequence q : batch) n += q.length();
                        var nll = model.ar().tokenLogProbs(ps, ab, !c.disableDropout()).sum().neg().div((float) n);
                        gc.backward(nll);
                        m.put("loss", nll.getFloat());
                    }
                }
                m.put(DpoLoss.GRAD_NORM, (float) opt.step(step));
            }
            history.add(m);
            if (listener != null) listener.onStep(s + 1, m);
        }
        return new DpoTrainer.Result(history, (System.nanoTime() - t0) / 1e9, tokens);
    }
}
