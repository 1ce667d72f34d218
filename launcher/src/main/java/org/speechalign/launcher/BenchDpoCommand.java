package org.speechalign.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.concurrent.Callable;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.Devices;
import org.speechalign.dpo.DpoBench;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.SyntheticCorpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign bench dpo}: a DPO step with precomputed reference log-probs vs the reference every step. */
@Command(
        name = "dpo",
        mixinStandardHelpOptions = true,
        description = {
            "ms/step and tokens/s of a DPO step on the AR model (codec2 3200 layout, synthetic utterances of 8-14 phones) with",
            "precomputed reference log-probs vs running the reference every step, and achieved GFLOP/s against an",
            "n x n matrix multiply measured in the same run on the same engine."
        })
public final class BenchDpoCommand implements Callable<Integer> {

    @Option(names = "--batch", defaultValue = "16", description = "pairs per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", defaultValue = "10", description = "measured steps per mode (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up steps per mode (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--shape", defaultValue = "pretrain",
            description = "pretrain (pretrain's default: d 128, 3 AR layers) | small (d 192, 4 AR layers) | tiny (d 64, 2 AR layers) (default: ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--matmul-n", defaultValue = "1024", description = "matrix size of the baseline (default: ${DEFAULT-VALUE})")
    int matmulN;

    @Option(names = "--device", defaultValue = "auto", description = "cpu | gpu | auto (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", defaultValue = "2", description = "torch intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelHome.torchThreads(threads);
        try {
            Devices.require(device);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        List<String> speakers = List.of("slt", "rms");
        LmConfig c = switch (shape) {
            case "pretrain" -> LmConfig.small(SyntheticCorpus.PHONES, speakers).withShape(128, 4, 1, 3, 3).withDropout(0f);
            case "small" -> LmConfig.small(SyntheticCorpus.PHONES, speakers).withDropout(0f);
            case "tiny" -> LmConfig.tiny(SyntheticCorpus.PHONES, speakers, CoarseLayout.CODEC2_3200, 2, 16).withShape(64, 4, 1, 2, 1);
            default -> throw new UserFacingException("--shape must be pretrain, small or tiny");
        };
        // utterances of 8-14 phones (~50-90 frames), like short corpus sentences
        List<Utterance> golden = SyntheticCorpus.generate(4 * batch, 7, speakers, CoarseLayout.CODEC2_3200, c.fineCodebooks(), c.fineSize(), 8, 14)
                .stream().filter(u -> u.split() != Split.TEST).toList();
        DpoBench.Report r = DpoBench.run(c, shape, golden, batch, warmup, steps, matmulN);
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        } else {
            System.out.printf("DPO step, %s model (%d AR parameters), %d pairs (%.0f tokens, %.0f padded) per step, %s on %s, threads %s%n",
                    r.model(), r.arParameters(), r.batchPairs(), r.tokensPerStep(), r.paddedTokensPerStep(), r.engine(), r.device(), r.threads());
            System.out.printf("  precomputed reference: %8.1f ms/step %9.0f tokens/s %7.2f GFLOP/s (%.0f%% of matmul)%n", r.precomputed().msPerStep(),
                    r.precomputed().tokensPerSecond(), r.precomputed().achievedGflops(), 100 * r.precomputed().fractionOfMatmul());
            System.out.printf("  reference every step:  %8.1f ms/step %9.0f tokens/s %7.2f GFLOP/s (%.0f%% of matmul)%n", r.everyStep().msPerStep(),
                    r.everyStep().tokensPerSecond(), r.everyStep().achievedGflops(), 100 * r.everyStep().fractionOfMatmul());
            System.out.printf("  speed-up %.2fx; reference precompute %.1f ms/pair (once per run); matmul %dx%d: %.2f GFLOP/s%n", r.speedup(),
                    r.referencePrecomputeMsPerPair(), r.matmulN(), r.matmulN(), r.matmulGflops());
        }
        return 0;
    }
}
