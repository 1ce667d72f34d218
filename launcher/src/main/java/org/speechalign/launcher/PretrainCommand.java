package org.speechalign.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.train.SupervisedTrainer;
import org.speechalign.lm.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign pretrain}: supervised training of the base AR + NAR model on the train split. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train the base codec language model (AR + NAR) on the golden corpus's train split; "
                + "resumes an interrupted run; writes SPEECHALIGN_HOME/models/<sha256>.salm and the reference 'base'.")
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--corpus", paramLabel = "DIR", description = "Golden corpus folder (default: the built-in corpus/builtin-v2).")
    Path corpus;

    @Option(names = "--synthetic", description = "Train on N synthetic utterances instead of the corpus (smoke tests).")
    Integer synthetic;

    @Option(names = "--steps", defaultValue = "1800", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Utterances per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--d-model", defaultValue = "128", description = "Transformer width (default: ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--ar-layers", defaultValue = "3") int arLayers;
    @Option(names = "--nar-layers", defaultValue = "3") int narLayers;
    @Option(names = "--encoder-layers", defaultValue = "1") int encoderLayers;
    @Option(names = "--heads", defaultValue = "4") int heads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, data order and dropout (default: ${DEFAULT-VALUE}).")
    int seed;

    @Option(names = "--threads", defaultValue = "2", description = "Torch intra-op threads (default: ${DEFAULT-VALUE}). The checksum of the "
            + "result depends on it (parallel reductions add in another order): same seed + corpus + threads = same checksum.")
    int threads;

    @Option(names = "--nar-steps", defaultValue = "1500", description = "Extra NAR-only steps after the joint AR + NAR steps "
            + "(the NAR learns the fine codebooks more slowly than the AR its coarse fields; default: ${DEFAULT-VALUE}).")
    int narSteps;

    @Option(names = "--nar-batch-size", defaultValue = "16", description = "Utterances per NAR-only step (default: ${DEFAULT-VALUE}).")
    int narBatchSize;

    @Option(names = "--name", defaultValue = "base", description = "Reference name for the result (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--fresh", description = "Ignore (delete) an interrupted run of the same settings instead of resuming it.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        ModelHome.torchThreads(threads);
        List<Utterance> all = synthetic != null ? TrainingData.synthetic(synthetic, seed) : TrainingData.corpus(corpus);
        List<Utterance> train = TrainingData.split(all, Split.TRAIN);
        TreeSet<String> phones = new TreeSet<>();
        TreeSet<String> speakers = new TreeSet<>();
        for (Utterance u : all) { // vocabularies from every split: symbols only, no test tokens
            u.phones().stream().map(Phone::symbol).forEach(phones::add);
            speakers.add(u.speaker());
        }
        LmConfig config = LmConfig.small(List.copyOf(phones), List.copyOf(speakers)).withShape(dModel, heads, encoderLayers, arLayers, narLayers);
        TrainConfig tc = new TrainConfig(steps, batchSize, lr, Math.min(300, Math.max(1, steps / 10)), 0.1, 0.01, 1.0, seed, 250, true, true);
        String runName = "pretrain-" + name + "-s" + seed + "-d" + dModel + "-n" + steps + "-b" + batchSize;
        Path runDir = ModelHome.runs().resolve(runName);
        if (fresh) deleteRecursively(runDir);
        System.err.printf("pretrain: %d train utterances, %d phones, %d speakers; run %s%n", train.size(), phones.size(), speakers.size(), runDir);
        SupervisedTrainer.Result result = new SupervisedTrainer(tc, runDir).train(CodecLm.create(config, seed), train);
        TrainConfig narTc = null;
        double seconds = result.seconds();
        int stepsRun = result.stepsRun();
        if (narSteps > 0) {
            narTc = new TrainConfig(narSteps, narBatchSize, lr, Math.min(100, Math.max(1, narSteps / 10)), 0.1, 0.01, 1.0, seed, 250, false, true);
            Path narDir = ModelHome.runs().resolve(runName + "-nar" + narSteps + "-b" + narBatchSize);
            if (fresh) deleteRecursively(narDir);
            System.err.printf("pretrain: %d NAR-only steps; run %s%n", narSteps, narDir);
            result = new SupervisedTrainer(narTc, narDir).train(result.model(), train);
            seconds += result.seconds();
            stepsRun += result.stepsRun();
        }
        try (CodecLm lm = result.model()) {
            lm.metadata().put("corpus_version", train.get(0).corpusVersion());
            lm.metadata().put("train_utterances", train.size());
            lm.metadata().put("train_config", new ObjectMapper().convertValue(tc, Map.class));
            if (narTc != null) lm.metadata().put("nar_train_config", new ObjectMapper().convertValue(narTc, Map.class));
            Path archive = lm.save(ModelHome.models());
            ModelHome.setReference(name, archive);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", archive.toString());
            out.put("sha256", lm.sha256());
            out.put("reference", name);
            out.put("ar_parameters", lm.parameterCount(lm.ar()));
            out.put("nar_parameters", lm.parameterCount(lm.nar()));
            out.put("steps", steps);
            out.put("nar_only_steps", narSteps);
            out.put("steps_this_run", stepsRun);
            out.put("seconds_this_run", Math.round(seconds));
            out.put("last_metrics", result.lastMetrics());
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
        return 0;
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) return;
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(p);
        }
    }
}
