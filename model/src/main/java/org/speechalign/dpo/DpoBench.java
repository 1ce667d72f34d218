package org.speechalign.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.ArSequence;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.SamplingConfig;
import org.speechalign.lm.train.Batches;

/**
 * {@code bench dpo}: the cost of a DPO step on the AR model with precomputed reference log-probs
 * versus running the reference model every step, and the achieved GFLOP/s of each against a plain
 * matrix multiply measured in the same run on the same engine and threads.
 *
 * <p>FLOPs are counted analytically from the model's shape over the padded batch actually computed
 * (every matrix multiply of encoder, decoder, attention scores and output heads; a training step is
 * forward + backward ≈ 3 forwards, the live reference adds one forward); element-wise work is not
 * counted, so achieved GFLOP/s understates the work done.
 */
public final class DpoBench {

    public record Mode(
            @JsonProperty("ms_per_step") double msPerStep,
            @JsonProperty("tokens_per_second") double tokensPerSecond,
            @JsonProperty("gflop_per_step") double gflopPerStep,
            @JsonProperty("achieved_gflops") double achievedGflops,
            @JsonProperty("fraction_of_matmul") double fractionOfMatmul) {}

    public record Report(
            @JsonProperty("engine") String engine,
            @JsonProperty("device") String device,
            @JsonProperty("torch_threads") String threads,
            @JsonProperty("model") String model,
            @JsonProperty("ar_parameters") long arParameters,
            @JsonProperty("batch_pairs") int batchPairs,
            @JsonProperty("tokens_per_step") double tokensPerStep,
            @JsonProperty("padded_tokens_per_step") double paddedTokensPerStep,
            @JsonProperty("steps_measured") int steps,
            @JsonProperty("reference_precompute_ms_per_pair") double referencePrecomputeMsPerPair,
            @JsonProperty("precomputed_reference") Mode precomputed,
            @JsonProperty("reference_every_step") Mode everyStep,
            @JsonProperty("speedup") double speedup,
            @JsonProperty("matmul_n") int matmulN,
            @JsonProperty("matmul_gflops") double matmulGflops) {}

    private DpoBench() {}

    /**
     * @param config model shape (a fresh model is initialised from it)
     * @param golden utterances that give the pairs' chosen sides
     * @param batch pairs per step
     * @param steps measured steps per mode (after {@code warmup})
     */
    public static Report run(LmConfig config, String modelName, List<Utterance> golden, int batch, int warmup, int steps, int matmulN) {
        try (CodecLm policy = CodecLm.create(config, 1); CodecLm reference = CodecLm.create(config, 1)) {
            var sampling = new SamplingConfig(1.0, 0, 1.0, 12);
            List<PreferencePair> pairs = PreferenceDataset.build(policy, "bench", golden, new PreferenceDataset.Options(1, sampling, 1, 32),
                    Instant.EPOCH).pairs();
            PairSequences seqs = new PairSequences(config, pairs);
            ReferenceLogProbs ref = DpoTrainer.reference(reference, seqs, batch);
            DpoConfig c = DpoConfig.defaults().withTraining(1e-5, batch, warmup + steps, 1.0);
            int b = Math.min(batch, seqs.size());
            // tokens and padded tokens of the batches the trainer will draw (same seed, same indices)
            double tokens = 0, padded = 0, flopsFwd = 0;
            for (int s = warmup; s < warmup + steps; s++) {
                int[] idx = Batches.of(c.seed(), s, seqs.lengths(), b);
                List<ArSequence> all = seqs.concatenated(idx);
                int maxLen = all.stream().mapToInt(ArSequence::length).max().orElseThrow();
                int maxPhones = all.stream().mapToInt(ArSequence::phoneCount).max().orElseThrow();
                tokens += seqs.tokens(idx);
                padded += (double) all.size() * maxLen;
                flopsFwd += forwardFlops(config, all.size(), maxLen, maxPhones);
            }
            tokens /= steps;
            padded /= steps;
            double gflopFwd = flopsFwd / steps / 1e9;

            // the machine is shared: the baseline is measured before, between and after the two modes; the best counts
            double mm = matmulGflops(policy.manager(), matmulN);
            double msPre = timePerStep(l -> new DpoTrainer(c).onStep(l).train(policy, seqs, ref), warmup, steps);
            mm = Math.max(mm, matmulGflops(policy.manager(), matmulN));
            double msLive = timePerStep(l -> new DpoTrainer(c).onStep(l).trainWithLiveReference(policy, seqs, reference.ar()), warmup, steps);
            mm = Math.max(mm, matmulGflops(policy.manager(), matmulN));
            Mode pre = mode(msPre, tokens, 3 * gflopFwd, mm);
            Mode live = mode(msLive, tokens, 4 * gflopFwd, mm);
            Engine e = Engine.getInstance();
            return new Report(e.getEngineName() + " " + e.getVersion(), e.defaultDevice().toString(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"), modelName, policy.parameterCount(policy.ar()), b, tokens,
                    padded, steps, 1000 * ref.seconds() / seqs.size(), pre, live, msLive / msPre, matmulN, mm);
        }
    }

    private static Mode mode(double ms, double tokens, double gflop, double matmul) {
        double gflops = gflop / (ms / 1000);
        return new Mode(ms, tokens / (ms / 1000), gflop, gflops, gflops / matmul);
    }

    /** Runs warmup + steps steps and returns the mean ms of the measured ones (time between step callbacks). */
    private static double timePerStep(java.util.function.Function<DpoTrainer.StepListener, DpoTrainer.Result> run, int warmup, int steps) {
        List<Long> stamps = new ArrayList<>();
        stamps.add(System.nanoTime());
        run.apply((s, m) -> stamps.add(System.nanoTime()));
        return (stamps.get(warmup + steps) - stamps.get(warmup)) / 1e6 / steps;
    }

    /** Forward FLOPs of one padded batch (matrix multiplies only). */
    static double forwardFlops(LmConfig c, int batch, int length, int phones) {
        double d = c.dModel(), m = c.ffnMultiplier();
        double perTokenLayer = 2 * (4 * d * d + 2 * m * d * d);
        double dec = batch * (double) length * c.arLayers() * (perTokenLayer + 4.0 * length * d);
        double enc = batch * (double) phones * c.encoderLayers() * (perTokenLayer + 4.0 * phones * d);
        var k = c.coarse();
        double head = batch * (double) length * 2 * d * (2 + k.voicingLevels() + k.energyLevels() + k.pitchLevels());
        return dec + enc + head;
    }

    /** GFLOP/s of an n x n float32 matrix multiply on the engine's default device. */
    static double matmulGflops(NDManager parent, int n) {
        try (NDManager m = parent.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n)), b = m.randomNormal(new Shape(n, n));
            a.matMul(b).getFloat(0, 0);
            int reps = 0;
            long t0 = System.nanoTime();
            double elapsed;
            do {
                try (NDManager s = m.newSubManager()) {
                    NDArray r = a.matMul(b);
                    r.attach(s);
                    r.getFloat(0, 0);
                }
                reps++;
                elapsed = (System.nanoTime() - t0) / 1e9;
            } while (elapsed < 1.0 || reps < 3);
            return 2.0 * n * n * n * reps / elapsed / 1e9;
        }
    }
}
