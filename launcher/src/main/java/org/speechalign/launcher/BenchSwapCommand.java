package org.speechalign.launcher;

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
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.embedded.EmbeddedPostgres;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.lm.CodecLm;
import org.speechalign.loop.golden.TinySetup;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.registry.OutboxRelay;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.loop.store.ModelStore;
import org.speechalign.synth.SynthService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./speechalign bench swap}: hot swap under steady load. A synth-service serves one of two
 * tiny models while clients post syntheses without pause; the other model is promoted (registry
 * transaction + outbox publication on {@code speech.model-versions.v1}, acks=all) again and again.
 * Measured: time from the publication's acknowledgement to the service answering with the new
 * version (polled every 5 ms on {@code GET /v1/models}), and every non-200 answer during the run.
 */
@Command(name = "swap", mixinStandardHelpOptions = true,
        description = "Publish→serving time of a promoted model version and failed requests during swaps under steady load.")
final class BenchSwapCommand implements Callable<Integer> {

    @Option(names = "--swaps", description = "promotions to measure (default ${DEFAULT-VALUE})")
    int swaps = 10;

    @Option(names = "--clients", description = "concurrent synthesis clients (default ${DEFAULT-VALUE})")
    int clients = 4;

    @Option(names = "--json", description = "print JSON only")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelHome.torchThreads(1);
        Path home = Files.createDirectories(EmbeddedRuntime.defaultHome());
        Path dir = Files.createTempDirectory(home, "bench-swap-");
        Map<String, Object> out = new LinkedHashMap<>();
        try (EmbeddedRuntime rt = EmbeddedRuntime.start(dir, 0, 0)) {
            String line = "bench-swap";
            DirectoryModelStore store = new DirectoryModelStore(dir.resolve("store"));
            Path a, b;
            try (CodecLm m = TinySetup.model(1)) {
                a = m.save(dir.resolve("models"));
            }
            try (CodecLm m = TinySetup.model(2)) {
                b = m.save(dir.resolve("models"));
            }
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("micronaut.server.port", -1);
            props.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
            props.put("database.url", rt.postgres().jdbcUrl());
            props.put("database.user", rt.postgres().user());
            props.put("model.store", store.directory().toString());
            props.put("synth.model-line", line);
            props.put("synth.base-model", a.toString());
            props.put("synth.max-frames-per-phone", 8);
            props.put("synth.max-concurrent", 2);
            ApplicationContext ctx = SynthService.start(props);
            ModelRegistry registry = new ModelRegistry(rt.postgres().dataSource());
            String key = new ApiKeys(rt.postgres().dataSource()).create("bench-swap", EnumSet.of(ApiKeys.Role.SYNTHESIZE), null).secret();
            String url = SynthService.url(ctx);
            ModelStore.Stored sb = store.put(b);
            String vb = ModelRegistry.versionName(line, sb.sha256());
            registry.inTransaction(c -> registry.register(c, new ModelRegistry.NewVersion(vb, line, null, sb.uri(), sb.sha256(), Map.of(), null),
                    "bench", null, Map.of()));
            String va = registry.serving(line).orElseThrow().version();
            java.util.Properties pp = new java.util.Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
            Map<String, AtomicLong> byVersion = new ConcurrentHashMap<>();
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/synthesize"))
                                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"Swap number " + (id * 100000 + n++)
                                            + " under load.\",\"speaker\":\"slt\"}")).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                                String v = Json.MAPPER.readTree(r.body()).path("model_version").asText();
                                byVersion.computeIfAbsent(v, x -> new AtomicLong()).incrementAndGet();
                            } else {
                                failed.computeIfAbsent(Integer.toString(r.statusCode()), x -> new AtomicLong()).incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.computeIfAbsent(e.getClass().getSimpleName(), x -> new AtomicLong()).incrementAndGet();
                        }
                    }
                }, "bench-swap-client-" + i);
                t.start();
                load.add(t);
            }
            List<Double> ms = new ArrayList<>();
            long t0 = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                OutboxRelay relay = new OutboxRelay(registry, producer, Duration.ofSeconds(30));
                relay.publishPending();
                Thread.sleep(2000); // steady load before the first swap
                for (int i = 0; i < swaps; i++) {
                    String target = i % 2 == 0 ? vb : va;
                    registry.inTransaction(c -> registry.promote(c, target, "bench", "bench swap", Map.of()));
                    relay.publishPending(); // returns once Kafka acknowledged
                    long published = System.nanoTime();
                    while (!target.equals(serving(http, url, key))) {
                        if (System.nanoTime() - published > 60_000_000_000L) throw new IllegalStateException("swap to " + target + " took over 60 s");
                        Thread.sleep(5);
                    }
                    ms.add((System.nanoTime() - published) / 1e6);
                    Thread.sleep(1000); // requests on the new model between swaps
                }
            } finally {
                stop.set(true);
                for (Thread t : load) t.join(120_000);
                ctx.close();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Double> sorted = new ArrayList<>(ms);
            Collections.sort(sorted);
            long failures = failed.values().stream().mapToLong(AtomicLong::get).sum();
            out.put("swaps", swaps);
            out.put("clients", clients);
            out.put("publish_to_serving_ms", Map.of("p50", round(sorted.get(sorted.size() / 2)), "max", round(sorted.get(sorted.size() - 1)),
                    "min", round(sorted.get(0)), "all", ms.stream().map(BenchSwapCommand::round).toList()));
            out.put("requests_ok", ok.get());
            out.put("requests_failed", failures);
            out.put("failures_by_cause", failed);
            out.put("requests_per_second", round(ok.get() / seconds));
            out.put("ok_requests_by_version", byVersion);
            out.put("goal_publish_to_serving_le_2s", sorted.get(sorted.size() - 1) <= 2000);
            out.put("goal_zero_failed_requests", failures == 0);
            out.put("model", "tiny untrained (d_model 32) models A and B, codec2 3200 layout; max 8 frames per phone");
        } finally {
            EmbeddedPostgres.deleteRecursivelyQuietly(dir);
        }
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        return 0;
    }

    static String serving(HttpClient http, String url, String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).header("Authorization", "Bearer " + key)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body()).path("serving").path("version").asText(null);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
