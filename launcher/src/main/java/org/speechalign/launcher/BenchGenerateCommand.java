package org.speechalign.launcher;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.Generated;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.NarBatch;
import org.speechalign.lm.SamplingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign bench generate}: generation speed of the codec language model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generation speed of the AR model (RTF, tokens/s): single-stream vs batched, with vs without the KV cache, in one run; "
                + "plus the full AR + NAR pipeline.")
final class BenchGenerateCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model archive, sha256 or reference (default: base if it exists, else an untrained model of the default shape).")
    String model;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Golden corpus folder (default: the built-in corpus/builtin-v2; synthetic utterances if absent).") Path corpus;

    @Option(names = "--utterances", defaultValue = "16", description = "Utterances per measurement (default: ${DEFAULT-VALUE}).")
    int utterances;

    @Option(names = "--batch-size", defaultValue = "16") int batchSize;

    @Option(names = "--threads", defaultValue = "2") int threads;

    @Option(names = "--warmup-passes", defaultValue = "1", description = "Passes over the utterances (single stream and batched, "
            + "with the cache) before the measured ones, so the JIT has compiled the generation loop; their figures are reported apart, under `warmup` (default: ${DEFAULT-VALUE}).")
    int warmupPasses;

    @Option(names = "--json", description = "Print JSON only.") boolean json;

    @Override
    public Integer call() throws Exception {
        ModelHome.torchThreads(threads);
        List<Utterance> data;
        try {
            data = TrainingData.split(TrainingData.corpus(corpus), Split.TEST);
        } catch (UserFacingException e) {
            data = TrainingData.split(TrainingData.synthetic(200, 7), Split.TEST);
        }
        CodecLm lm;
        String modelName;
        if (model == null && !Files.exists(ModelHome.models().resolve("base.ref"))) {
            TreeSet<String> phones = new TreeSet<>();
            TreeSet<String> speakers = new TreeSet<>();
            data.forEach(u -> { u.phones().stream().map(Phone::symbol).forEach(phones::add); speakers.add(u.speaker()); });
            lm = CodecLm.create(LmConfig.small(List.copyOf(phones), List.copyOf(speakers)), 1);
            modelName = "untrained default shape";
        } else {
            Path p = ModelHome.resolve(model == null ? "base" : model);
            lm = CodecLm.load(p);
            modelName = p.getFileName().toString();
        }
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < Math.min(utterances, data.size()); i++) {
            Utterance u = data.get(i);
            reqs.add(new GenerationRequest(u.speaker(), Examples.symbols(u.phones()), 1000 + i));
        }
        double fps = 50.0;
        SamplingConfig sampling = new SamplingConfig(1.0, 0, 1.0, 40);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelName);
        out.put("threads", threads);
        out.put("utterances", reqs.size());
        out.put("batch_size", batchSize);
        out.put("frames_per_second_of_audio", fps);
        try (lm; NDManager m = lm.manager().newSubManager()) {
            lm.generator().generate(m, reqs.subList(0, 1), sampling, true); // loads the native kernels (the only warm-up with --warmup-passes 0)
            // a first pass runs while the JIT is still compiling (its threads share the 2 cores): about
            // twice as slow as the next; a service generates for hours, so the measured passes come after
            List<Map<String, Object>> warmup = new ArrayList<>();
            for (int pass = 0; pass < warmupPasses; pass++) {
                warmup.add(measure(lm, m, reqs, sampling, 1, true, "single_stream_kv_cache", fps));
                warmup.add(measure(lm, m, reqs, sampling, batchSize, true, "batched_kv_cache", fps));
            }
            out.put("warmup", warmup);
            List<Map<String, Object>> runs = new ArrayList<>();
            runs.add(measure(lm, m, reqs, sampling, 1, true, "single_stream_kv_cache", fps));
            runs.add(measure(lm, m, reqs, sampling, batchSize, true, "batched_kv_cache", fps));
            runs.add(measure(lm, m, reqs, sampling, batchSize, false, "batched_no_cache", fps));
            runs.add(measure(lm, m, reqs.subList(0, Math.min(4, reqs.size())), sampling, 1, false, "single_stream_no_cache", fps));
            out.put("ar", runs);
            // full pipeline: batched AR with cache, then the NAR
            long t0 = System.nanoTime();
            int frames = 0;
            for (int i = 0; i < reqs.size(); i += batchSize) {
                List<GenerationRequest> part = reqs.subList(i, Math.min(reqs.size(), i + batchSize));
                List<Generated> g = lm.generator().generate(m, part, sampling, true);
                List<NarBatch.Item> items = new ArrayList<>();
                for (int j = 0; j < part.size(); j++) {
                    items.add(Examples.nar(lm.config(), part.get(j).speaker(), part.get(j).phones(), g.get(j)));
                    frames += g.get(j).frames();
                }
                try (NDManager s = m.newSubManager()) {
                    lm.nar().predict(new ParameterStore(s, false), NarBatch.of(s, lm.config(), items));
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> pipe = new LinkedHashMap<>();
            pipe.put("seconds", round(sec));
            pipe.put("audio_seconds", round(frames / fps));
            pipe.put("rtf", round(sec / (frames / fps)));
            pipe.put("x_real_time", round((frames / fps) / sec));
            out.put("pipeline_ar_batched_kv_plus_nar", pipe);
        }
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out);
        System.out.println(text);
        return 0;
    }

    private static Map<String, Object> measure(CodecLm lm, NDManager m, List<GenerationRequest> reqs, SamplingConfig s, int batch,
            boolean cache, String name, double fps) {
        long t0 = System.nanoTime();
        long frames = 0, steps = 0;
        for (int i = 0; i < reqs.size(); i += batch) {
            for (Generated g : lm.generator().generate(m, reqs.subList(i, Math.min(reqs.size(), i + batch)), s, cache)) {
                frames += g.frames();
                steps += g.steps();
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", name);
        r.put("kv_cache", cache);
        r.put("batch_size", batch);
        r.put("utterances", reqs.size());
        r.put("seconds", round(sec));
        r.put("audio_seconds", round(frames / fps));
        r.put("ar_tokens", steps);
        r.put("tokens_per_second", round(steps / sec));
        r.put("rtf", round(sec / (frames / fps)));
        r.put("x_real_time", round((frames / fps) / sec));
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
