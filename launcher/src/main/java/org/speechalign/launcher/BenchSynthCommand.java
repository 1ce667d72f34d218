package org.speechalign.launcher;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.embedded.EmbeddedPostgres;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.Generated;
import org.speechalign.lm.NarBatch;
import org.speechalign.lm.SamplingConfig;
import org.speechalign.loop.golden.TinySetup;
import org.speechalign.synth.SynthService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./speechalign bench synth}: real-time factor of synthesis through the HTTP API (text →
 * t2p → AR → NAR → tokens, event acknowledged by Kafka, JSON answer), then the audio through
 * {@code audio.wav} (codec decode), next to the same AR + NAR pipeline called in-process on the
 * same phones and seeds in the same run.
 */
@Command(name = "synth", mixinStandardHelpOptions = true, description = "Synthesis real-time factor through the HTTP API, with an in-process baseline.")
final class BenchSynthCommand implements Callable<Integer> {

    static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "A model that listens to its own voice learns to speak more clearly.",
            "Please call Stella and ask her to bring these things with her from the store.",
            "Every version is verified before it serves a single request.",
            "The weather today is bright, with a light breeze from the west.",
            "Preferences turn ratings into a better model, one batch at a time.",
            "She sells sea shells by the sea shore.",
            "Numbers like twenty three and forty two are spoken as words.");

    @Option(names = "--model", description = "model archive, sha256 or reference (default: base if ./speechalign pretrain made one, else a tiny untrained model)")
    String model;

    @Option(names = "--rounds", description = "passes over the sentences (default ${DEFAULT-VALUE})")
    int rounds = 2;

    @Option(names = "--max-frames-per-phone", description = "sampling cap (default ${DEFAULT-VALUE})")
    int maxFramesPerPhone = 40;

    @Option(names = "--threads", description = "torch threads (default ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--json", description = "print JSON only")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelHome.torchThreads(threads);
        Path home = Files.createDirectories(EmbeddedRuntime.defaultHome());
        Path dir = Files.createTempDirectory(home, "bench-synth-");
        Map<String, Object> out = new LinkedHashMap<>();
        try (EmbeddedRuntime rt = EmbeddedRuntime.start(dir, 0, 0)) {
            Path archive;
            String modelName;
            if (model == null && !Files.exists(ModelHome.models().resolve("base.ref"))) {
                try (CodecLm m = TinySetup.model(1)) {
                    archive = m.save(dir.resolve("models"));
                }
                modelName = "tiny untrained (d_model 32; run ./speechalign pretrain for the real base)";
            } else {
                archive = ModelHome.resolve(model == null ? "base" : model);
                modelName = archive.getFileName().toString();
            }
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("micronaut.server.port", -1);
            props.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
            props.put("database.url", rt.postgres().jdbcUrl());
            props.put("database.user", rt.postgres().user());
            props.put("model.store", dir.resolve("store").toString());
            props.put("synth.base-model", archive.toString());
            props.put("synth.max-frames-per-phone", maxFramesPerPhone);
            props.put("synth.max-concurrent", 1);
            ApplicationContext ctx = SynthService.start(props);
            String key = new ApiKeys(rt.postgres().dataSource()).create("bench-synth", EnumSet.of(ApiKeys.Role.SYNTHESIZE), null).secret();
            String url = SynthService.url(ctx);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<GenerationRequest> same = new ArrayList<>();
            double httpSeconds = 0, audioSeconds = 0, wavSeconds = 0;
            int requests = 0;
            try {
                post(http, url, key, SENTENCES.get(0), 0); // warm-up
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < SENTENCES.size(); i++) {
                        long seed = 1000L * r + i;
                        long t0 = System.nanoTime();
                        JsonNode s = post(http, url, key, SENTENCES.get(i), seed).path("syntheses").get(0);
                        httpSeconds += (System.nanoTime() - t0) / 1e9;
                        long t1 = System.nanoTime();
                        HttpResponse<byte[]> wav = http.send(HttpRequest.newBuilder(URI.create(url + s.path("audio_url").asText()))
                                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (wav.statusCode() != 200) throw new IllegalStateException("audio.wav answered " + wav.statusCode());
                        wavSeconds += (System.nanoTime() - t1) / 1e9;
                        audioSeconds += s.path("seconds").asDouble();
                        requests++;
                        List<String> phones = new ArrayList<>();
                        s.path("phones").forEach(p -> phones.add(p.path("symbol").asText()));
                        same.add(new GenerationRequest("slt", phones, seed));
                    }
                }
            } finally {
                ctx.close();
            }
            // the same pipeline in-process: same phones and seeds, no HTTP, no Kafka, no t2p
            double inProcess = 0, inAudio = 0;
            try (CodecLm lm = CodecLm.load(archive); NDManager m = lm.manager().newSubManager()) {
                SamplingConfig sampling = new SamplingConfig(1.0, 0, 1.0, maxFramesPerPhone);
                lm.generator().generate(m, same.subList(0, 1), sampling, true);
                for (GenerationRequest g : same) {
                    long t0 = System.nanoTime();
                    List<Generated> gen = lm.generator().generate(m, List.of(g), sampling, true);
                    try (NDManager s = m.newSubManager()) {
                        lm.nar().predict(new ParameterStore(s, false), NarBatch.of(s, lm.config(),
                                List.of(Examples.nar(lm.config(), g.speaker(), g.phones(), gen.get(0)))));
                    }
                    inProcess += (System.nanoTime() - t0) / 1e9;
                    inAudio += gen.get(0).frames() / 50.0;
                }
            }
            out.put("model", modelName);
            out.put("threads", threads);
            out.put("requests", requests);
            out.put("audio_seconds", round(audioSeconds));
            out.put("http_synthesize_seconds", round(httpSeconds));
            out.put("http_rtf", round(httpSeconds / audioSeconds));
            out.put("http_x_real_time", round(audioSeconds / httpSeconds));
            out.put("http_mean_latency_ms", round(1000 * httpSeconds / requests));
            out.put("audio_wav_mean_ms", round(1000 * wavSeconds / requests));
            out.put("in_process_ar_nar_rtf", round(inProcess / inAudio));
            out.put("in_process_audio_seconds", round(inAudio));
            out.put("note", "RTF = wall time / audio time, single stream, one request at a time; HTTP includes t2p, JSON and the Kafka ack.");
        } finally {
            EmbeddedPostgres.deleteRecursivelyQuietly(dir);
        }
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        return 0;
    }

    static JsonNode post(HttpClient http, String url, String key, String text, long seed) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/synthesize")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(Map.of("text", text, "speaker", "slt", "seed", seed)))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("synthesize answered " + r.statusCode() + ": " + r.body());
        return Json.MAPPER.readTree(r.body());
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
