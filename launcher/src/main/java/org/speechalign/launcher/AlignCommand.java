package org.speechalign.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.corpus.CorpusFile;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.AlignmentLoop;
import org.speechalign.dpo.ContinuedSft;
import org.speechalign.dpo.Devices;
import org.speechalign.dpo.DpoConfig;
import org.speechalign.dpo.IntrinsicMeasures;
import org.speechalign.dpo.Intelligibility;
import org.speechalign.dpo.ModelEvaluator;
import org.speechalign.dpo.PreferenceDataset;
import org.speechalign.eval.Comparison;
import org.speechalign.eval.GoldenEvaluation;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.SamplingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign align}: SpeechAlign's iterative DPO loop with the continued-SFT ablation. */
@Command(
        name = "align",
        mixinStandardHelpOptions = true,
        description = {
            "Iterative preference alignment of the AR model: each iteration regenerates the rejected samples",
            "with the previous iteration's model (golden tokens are chosen), runs DPO with that model as the frozen",
            "reference, saves a content-addressed archive and evaluates it on the test split; then continued SFT",
            "for the same number of steps, as the ablation."
        })
public final class AlignCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", defaultValue = "base",
            description = "base model: archive path, sha256 (prefix) in the model store, or a name such as 'base' from ./speechalign pretrain (default: ${DEFAULT-VALUE})")
    String base;

    @Option(names = "--train-base", description = "instead of --base: first train a small AR model (d 64) here for STEPS supervised steps (demos without pretrain)")
    Integer trainBase;

    @Option(names = "--corpus", defaultValue = "corpus/builtin-v2", description = "golden corpus directory (default: ${DEFAULT-VALUE})")
    Path corpus;

    @Option(names = "--synthetic", description = "use N synthetic utterances instead of the corpus (as ./speechalign pretrain --synthetic N)")
    Integer synthetic;

    @Option(names = "--threads", defaultValue = "2", description = "torch intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--iterations", defaultValue = "3", description = "DPO iterations (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--steps", defaultValue = "100", description = "DPO steps per iteration (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "pairs per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--loss", defaultValue = "sigmoid", description = "sigmoid | ipo | hinge | robust (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "for sigmoid/robust (default: ${DEFAULT-VALUE})")
    double labelSmoothing;

    @Option(names = "--sft-weight", defaultValue = "0", description = "weight of the SFT term on the chosen side (default: ${DEFAULT-VALUE})")
    double sftWeight;

    @Option(names = "--length-norm", defaultValue = "auto", description = "auto | sum | mean (default: ${DEFAULT-VALUE})")
    String lengthNorm;

    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--samples", defaultValue = "1", description = "rejected samples per training utterance (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--pairing", defaultValue = "golden", description = "golden: the golden tokens chosen over each sample (the paper's "
            + "golden_vs_synthetic) | ranked: each utterance's samples rated by ear (NAR, codec, recogniser: word errors against the text), "
            + "the best chosen over each one heard worse (rating_ranked; needs --samples >= 2; ties make no pair) | both (default: ${DEFAULT-VALUE})")
    String pairing;

    @Option(names = "--temperature", defaultValue = "1.0", description = "sampling temperature of the rejected side (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "top-k of the rejected side, 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--max-frames-per-phone", defaultValue = "30", description = "generation cap (default: ${DEFAULT-VALUE})")
    int maxFramesPerPhone;

    @Option(names = "--max-train", defaultValue = "0", description = "use at most N training utterances, 0 = all (default: ${DEFAULT-VALUE})")
    int maxTrain;

    @Option(names = "--max-test", defaultValue = "0", description = "evaluate on at most N test utterances, 0 = all (default: ${DEFAULT-VALUE})")
    int maxTest;

    @Option(names = "--audio-eval", defaultValue = "0", description = "also measure every model (base, continued SFT, each iteration) "
            + "with the evaluation harness on N test utterances spread over sentences and voices: WER with interval, speaker similarity, "
            + "MCD, gap classifier accuracy (0 = off, the default: about 100 s a model on 2 cores for N = 30)")
    int audioEval;

    @Option(names = "--eval-samples", defaultValue = "4", description = "self-play samples per test utterance for the gap measures (default: ${DEFAULT-VALUE})")
    int evalSamples;

    @Option(names = "--sft-objective", defaultValue = "model",
            description = "ablation's loss: model (the base's smoothed supervised loss) | exact (per-token NLL, as the SFT term) (default: ${DEFAULT-VALUE})")
    String sftObjective;

    @Option(names = "--no-sft-ablation", description = "skip the continued-SFT ablation")
    boolean noSft;

    @Option(names = "--seed", defaultValue = "1", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "cpu | gpu | auto (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--out", description = "run directory (default: $SPEECHALIGN_HOME/align)")
    Path out;

    @Option(names = "--json", description = "print the report as JSON on stdout")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ModelHome.torchThreads(threads);
        try {
            Devices.require(device);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        DpoConfig dpo;
        try {
            dpo = new DpoConfig(DpoConfig.LossType.parse(loss), beta, labelSmoothing, sftWeight, DpoConfig.LengthNorm.parse(lengthNorm), lr,
                    batch, steps, clip, seed, true);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("invalid DPO settings: " + e.getMessage(), e);
        }
        PreferenceDataset.Options pairs;
        try {
            pairs = new PreferenceDataset.Options(samples, new SamplingConfig(temperature, topK, 1.0, maxFramesPerPhone), seed, 32,
                    PreferenceDataset.Pairing.parse(pairing));
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("invalid pair settings: " + e.getMessage(), e);
        }
        Path dir = out != null ? out : ModelHome.runs().resolve("align");
        Files.createDirectories(dir);
        PrintStream err = System.err;
        List<Utterance> all;
        if (synthetic != null) {
            all = TrainingData.synthetic(synthetic, seed);
        } else {
            try {
                all = CorpusFile.read(corpus).utterances();
            } catch (IOException e) {
                throw new UserFacingException("cannot read the golden corpus at " + corpus + ": " + e.getMessage(), e);
            }
        }
        Path baseArchive = trainBase != null ? trainSmallBase(dir, all, trainBase, err) : ModelHome.resolve(base);
        List<Utterance> train = limit(all.stream().filter(u -> u.split() == Split.TRAIN).toList(), maxTrain);
        List<Utterance> test = limit(all.stream().filter(u -> u.split() == Split.TEST).toList(), maxTest);
        SamplingConfig sampling = pairs.sampling();
        var options = new AlignmentLoop.Options(iterations, dpo, pairs, !noSft, 32,
                ContinuedSft.Objective.parse(sftObjective));
        IntrinsicMeasures measures;
        try (CodecLm b = CodecLm.load(baseArchive)) {
            measures = new IntrinsicMeasures(b, test, sampling, seed + 1000, 32, evalSamples);
        }
        AlignmentLoop.Report report;
        List<Comparison> paired = List.of();
        AudioMeasures audio = audioEval > 0 ? new AudioMeasures(new Codec2Codec(), all, audioEval, 60) : null;
        SpeechRecognizer rater = pairs.pairing() == PreferenceDataset.Pairing.GOLDEN ? null : SpeechRecognizer.openDefault();
        try {
            ModelEvaluator evaluator = audio == null ? measures : measures.and(audio);
            report = new AlignmentLoop(options, dir, Clock.systemUTC()).log(err)
                    .scorer(rater == null ? null : new Intelligibility(new Codec2Codec(), rater))
                    .run(baseArchive, train, test, evaluator);
            if (audio != null) paired = paired(report, audio);
        } finally {
            if (audio != null) audio.close();
            if (rater != null) rater.close();
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        // the comparisons in the field names of ./speechalign eval's JSON
        if (!paired.isEmpty()) GoldenEvaluation.JSON.writeValue(dir.resolve("paired.json").toFile(), paired);
        PrintStream stdout = new PrintStream(System.out, true);
        if (json) {
            ObjectNode out = mapper.valueToTree(report);
            out.set("paired", GoldenEvaluation.JSON.valueToTree(paired));
            stdout.println(mapper.writeValueAsString(out));
        } else {
            stdout.print(table(report));
            for (Comparison c : paired) stdout.println(pairedLine(c));
            stdout.printf("report: %s%n", dir.resolve("report.json"));
        }
        return 0;
    }

    /**
     * The comparisons the paper's claims are about, each on the same utterances and seeds: every
     * iteration against the one before (base for iter1), the last against the base, and the last
     * against continued SFT.
     */
    private static List<Comparison> paired(AlignmentLoop.Report report, AudioMeasures audio) {
        List<Comparison> out = new ArrayList<>();
        String previous = "base";
        for (AlignmentLoop.Iteration it : report.iterations()) {
            String label = "iter" + it.iteration();
            out.add(audio.compare(label, previous));
            previous = label;
        }
        if (report.iterations().size() > 1) out.add(audio.compare(previous, "base"));
        if (report.continuedSft() != null && !report.iterations().isEmpty()) out.add(audio.compare(previous, "continued_sft"));
        return out;
    }

    static String pairedLine(Comparison c) {
        return String.format("%s - %s (%d utterances, paired): WER %+.1f points [%+.1f, %+.1f], similarity %+.3f, MCD %+.2f dB",
                c.a(), c.b(), c.utterances(), 100 * c.werDifference().value(), 100 * c.werDifference().low(),
                100 * c.werDifference().high(), c.similarityDifference().value(), c.mcdDifferenceDb().value());
    }

    private Path trainSmallBase(Path dir, List<Utterance> all, int baseSteps, PrintStream err) throws IOException {
        List<String> speakers = all.stream().map(Utterance::speaker).distinct().sorted().toList();
        List<String> phones = all.stream().flatMap(u -> u.phones().stream()).map(p -> p.symbol()).distinct().sorted().toList();
        int fine = all.get(0).tokens().length - 1;
        int fineSize = all.stream().flatMap(u -> java.util.Arrays.stream(u.tokens()).skip(1)).flatMapToInt(java.util.Arrays::stream).max().orElse(0) + 1;
        LmConfig c = LmConfig.tiny(phones, speakers, CoarseLayout.CODEC2_3200, fine, fineSize).withShape(64, 4, 1, 2, 1);
        try (CodecLm m = CodecLm.create(c, (int) seed)) {
            DpoConfig sft = DpoConfig.defaults().withTraining(2e-3, 16, baseSteps, 1.0).withSeed(seed);
            var r = ContinuedSft.train(m, all.stream().filter(u -> u.split() == Split.TRAIN).toList(), sft, null);
            m.metadata().put("align_small_base_steps", baseSteps);
            Path p = m.save(dir.resolve("base"));
            err.printf("align: small base (d 64, %d AR parameters, AR only) trained %d steps in %.1f s, loss %.3f -> %s%n",
                    m.parameterCount(m.ar()), baseSteps, r.seconds(), r.last().get("loss"), p.getFileName());
            return p;
        }
    }

    private static <T> List<T> limit(List<T> l, int n) {
        return n > 0 && n < l.size() ? l.subList(0, n) : l;
    }

    static String table(AlignmentLoop.Report r) {
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        rows.put("base", r.baseEval());
        if (r.continuedSft() != null) rows.put("continued SFT", r.continuedSft().eval());
        for (AlignmentLoop.Iteration it : r.iterations()) rows.put("iter" + it.iteration(), it.eval());
        List<String> cols = new ArrayList<>(r.baseEval().keySet());
        StringBuilder sb = new StringBuilder(String.format("%-14s", "model"));
        for (String c : cols) sb.append(String.format(" %14s", c.length() > 14 ? c.substring(0, 14) : c));
        sb.append('\n');
        for (var e : rows.entrySet()) {
            sb.append(String.format("%-14s", e.getKey()));
            for (String c : cols) sb.append(String.format(" %14.4f", e.getValue().getOrDefault(c, Double.NaN)));
            sb.append('\n');
        }
        return sb.toString();
    }
}
