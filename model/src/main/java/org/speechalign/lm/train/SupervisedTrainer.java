package org.speechalign.lm.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.ArBatch;
import org.speechalign.lm.ArModel;
import org.speechalign.lm.ArSequence;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.NarBatch;
import org.speechalign.lm.NarModel;

/**
 * Supervised (teacher-forced) training of the AR and NAR models on golden utterances, with AdamW,
 * warm-up + cosine learning rate, a progress bar, a metrics log ({@code metrics.jsonl}) and
 * resumable checkpoints in a run directory: {@code checkpoint.salm} (model archive),
 * {@code optimizer.bin} (AdamW moments) and {@code state.json} (step, train config). Both models
 * train in the same steps on the same utterances; their losses are independent.
 */
public final class SupervisedTrainer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainConfig tc;
    private final Path runDir;
    private boolean progress = true;
    private PrintStream log = System.err;
    private int stopAfter = Integer.MAX_VALUE;

    public SupervisedTrainer(TrainConfig config, Path runDir) {
        this.tc = config;
        this.runDir = runDir;
    }

    public SupervisedTrainer quiet() {
        progress = false;
        log = new PrintStream(PrintStream.nullOutputStream());
        return this;
    }

    /** Stops (with a checkpoint) after this step, as an interruption would; a later run resumes. */
    public SupervisedTrainer stopAfter(int step) {
        stopAfter = step;
        return this;
    }

    /** Outcome of a run: the trained model (owned by the caller) and the last metrics. */
    public record Result(CodecLm model, Map<String, Float> lastMetrics, int stepsRun, double seconds) {}

    /**
     * Trains {@code model} (or, if the run directory holds a checkpoint, the checkpointed model,
     * in which case {@code model} is closed) up to {@code config.steps()} steps.
     */
    public Result train(CodecLm model, List<Utterance> train) throws IOException {
        if (train.size() < tc.batchSize()) throw new IllegalArgumentException("fewer training utterances than the batch size");
        Files.createDirectories(runDir);
        int start = 0;
        Path stateFile = runDir.resolve("state.json");
        byte[] optimizerState = null;
        if (Files.exists(stateFile)) {
            ObjectNode state = (ObjectNode) JSON.readTree(stateFile.toFile());
            TrainConfig saved = JSON.treeToValue(state.get("train_config"), TrainConfig.class);
            if (saved.seed() != tc.seed() || saved.batchSize() != tc.batchSize()) {
                throw new IllegalStateException("run directory " + runDir + " holds a run with another seed or batch size; use a new directory");
            }
            start = state.get("step").asInt();
            model.close();
            model = CodecLm.load(runDir.resolve(state.get("checkpoint").asText()), state.get("checkpoint_sha256").asText());
            optimizerState = Files.readAllBytes(runDir.resolve(state.get("optimizer").asText()));
            log.printf("resuming %s at step %d%n", runDir, start);
        }
        var c = model.config();
        List<ArSequence> ar = new ArrayList<>();
        List<NarBatch.Item> nar = new ArrayList<>();
        for (Utterance u : train) {
            ar.add(Examples.ar(c, u));
            nar.add(Examples.nar(c, u));
        }
        int[] lengths = ar.stream().mapToInt(ArSequence::length).toArray();
        List<Parameter> params = new ArrayList<>();
        if (tc.trainAr()) model.ar().getParameters().forEach(p -> params.add(p.getValue()));
        if (tc.trainNar()) model.nar().getParameters().forEach(p -> params.add(p.getValue()));
        Map<String, Float> last = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (AdamW opt = new AdamW(model.manager(), params, 0.9, 0.98, 1e-8, tc.weightDecay())) {
            if (optimizerState != null) opt.restore(optimizerState);
            ProgressBar bar = progress && tc.steps() > start ? new ProgressBarBuilder().setTaskName("train").setInitialMax(tc.steps())
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).startsFrom(start, java.time.Duration.ZERO).build() : null;
            try {
                int stop = Math.min(tc.steps(), stopAfter);
                for (int s = start; s < stop; s++) {
                    int[] idx = Batches.of(tc.seed(), s, lengths, tc.batchSize());
                    Engine.getInstance().setRandomSeed((int) (tc.seed() * 1_000_003L + s));
                    try (NDManager step = model.manager().newSubManager()) {
                        ParameterStore ps = new ParameterStore(step, false);
                        NDArray total = null;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            if (tc.trainAr()) {
                                ArModel.Loss l = model.ar().loss(ps, ArBatch.of(step, pick(ar, idx)), true);
                                total = l.value();
                                put(last, "ar_", ArModel.METRICS, l.metrics());
                            }
                            if (tc.trainNar()) {
                                ArModel.Loss l = model.nar().loss(ps, NarBatch.of(step, c, pick(nar, idx)), true);
                                total = total == null ? l.value() : total.add(l.value());
                                put(last, "nar_", NarModel.METRICS, l.metrics());
                            }
                            gc.backward(total);
                        }
                        double lr = tc.lrAt(s);
                        double norm = opt.step(lr, tc.clip());
                        last.put("lr", (float) lr);
                        last.put("grad_norm", (float) norm);
                    }
                    logMetrics(s + 1, last, (System.nanoTime() - t0) / 1e9);
                    if (bar != null) {
                        bar.stepTo(s + 1);
                        bar.setExtraMessage(String.format(" ar %.3f nar %.3f", last.getOrDefault("ar_loss", Float.NaN),
                                last.getOrDefault("nar_loss", Float.NaN)));
                    }
                    boolean end = s + 1 == stop;
                    if (end || (tc.checkpointEvery() > 0 && (s + 1) % tc.checkpointEvery() == 0)) {
                        model.metadata().put("train_steps", s + 1);
                        model.metadata().put("train_seed", tc.seed());
                        checkpoint(model, opt, s + 1);
                    }
                }
            } finally {
                if (bar != null) bar.close();
            }
        }
        return new Result(model, last, Math.max(0, Math.min(tc.steps(), stopAfter) - start), (System.nanoTime() - t0) / 1e9);
    }

    private static <T> List<T> pick(List<T> all, int[] idx) {
        List<T> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(all.get(i));
        return out;
    }

    private static void put(Map<String, Float> into, String prefix, List<String> names, float[] values) {
        for (int i = 0; i < names.size(); i++) into.put(prefix + names.get(i), values[i]);
    }

    private void logMetrics(int step, Map<String, Float> m, double seconds) throws IOException {
        ObjectNode line = JSON.createObjectNode();
        line.put("step", step);
        line.put("seconds", Math.round(seconds * 10) / 10.0);
        m.forEach(line::put);
        Files.writeString(runDir.resolve("metrics.jsonl"), JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void checkpoint(CodecLm model, AdamW opt, int step) throws IOException {
        // new files first, then state.json (atomically) pointing at them, then the old files go:
        // a crash at any point leaves a consistent checkpoint behind.
        Path archive = model.save(runDir.resolve("checkpoints"));
        String optimizer = "checkpoints/optimizer-" + step + ".bin";
        write(runDir.resolve(optimizer), opt.state());
        ObjectNode state = JSON.createObjectNode();
        state.put("step", step);
        state.put("checkpoint", "checkpoints/" + archive.getFileName());
        state.put("checkpoint_sha256", model.sha256());
        state.put("optimizer", optimizer);
        state.set("train_config", JSON.valueToTree(tc));
        write(runDir.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        try (var files = Files.list(runDir.resolve("checkpoints"))) {
            for (Path f : files.toList()) {
                if (!f.equals(archive) && !f.equals(runDir.resolve(optimizer))) Files.deleteIfExists(f);
            }
        }
    }

    /** The latest checkpoint's archive in a run directory, if any. */
    public static java.util.Optional<Path> latestCheckpoint(Path runDir) throws IOException {
        Path stateFile = runDir.resolve("state.json");
        if (!Files.exists(stateFile)) return java.util.Optional.empty();
        return java.util.Optional.of(runDir.resolve(JSON.readTree(stateFile.toFile()).get("checkpoint").asText()));
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
