package org.speechalign.launcher;

import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.embedded.EmbeddedPostgres;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.feedback.FeedbackService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code speechalign bench ingest}: ratings/s through HTTP next to a raw Kafka producer, one run. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ratings/s through the feedback-service's HTTP API, single and batched, next to a raw",
                "Kafka producer (acks=all, idempotent, lz4) sending the same records, in one run on a fresh",
                "embedded broker and PostgreSQL (the service's sink runs meanwhile, as in production)."})
public final class BenchIngestCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--ratings", description = "ratings per batched/raw measurement (default ${DEFAULT-VALUE})")
    int ratings = 200_000;

    @Option(names = "--single", description = "ratings sent one per request (default ${DEFAULT-VALUE})")
    int single = 30_000;

    @Option(names = "--batch", description = "ratings per batched request (default ${DEFAULT-VALUE})")
    int batch = 1000;

    @Option(names = "--concurrency", description = "concurrent HTTP clients (default ${DEFAULT-VALUE})")
    int concurrency = 32;

    @Override
    public Integer call() throws Exception {
        Path home = Files.createDirectories(EmbeddedRuntime.defaultHome());
        Path dir = Files.createTempDirectory(home, "bench-"); // deleted at the end
        Map<String, Object> out = new LinkedHashMap<>();
        try (EmbeddedRuntime rt = EmbeddedRuntime.start(dir, 0, 0)) {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("micronaut.server.port", -1);
            props.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
            props.put("database.url", rt.postgres().jdbcUrl());
            props.put("database.user", rt.postgres().user());
            ApplicationContext ctx = FeedbackService.start(props);
            try {
                String key = new ApiKeys(rt.postgres().dataSource())
                        .create("bench", EnumSet.of(ApiKeys.Role.INGEST), Integer.MAX_VALUE).secret();
                String url = FeedbackService.url(ctx);
                log("raw Kafka producer, " + ratings + " ratings ...");
                double raw = raw(rt.kafka().bootstrapServers(), ratings, "raw");
                log("HTTP batched (" + batch + " per request, " + concurrency + " clients), " + ratings + " ratings ...");
                http(url, key, 2_000, batch, "warm-b"); // warm-up: JIT, connections
                double batched = http(url, key, ratings, batch, "batch");
                log("HTTP single (" + concurrency + " clients), " + single + " ratings ...");
                http(url, key, 2_000, 1, "warm-s");
                double singles = http(url, key, single, 1, "single");
                out.put("raw_kafka_ratings_per_s", Math.round(raw));
                out.put("http_batched_ratings_per_s", Math.round(batched));
                out.put("http_single_ratings_per_s", Math.round(singles));
                out.put("batched_over_raw", Math.round(batched / raw * 1000) / 1000.0);
                out.put("ratings", ratings);
                out.put("single_ratings", single);
                out.put("batch_size", batch);
                out.put("http_clients", concurrency);
                out.put("cores", Runtime.getRuntime().availableProcessors());
                out.put("kafka", "1 embedded broker, " + Topics.DEFAULT_PARTITIONS + " partitions, acks=all, idempotent, lz4");
            } finally {
                ctx.close();
            }
        } finally {
            EmbeddedPostgres.deleteRecursivelyQuietly(dir);
        }
        if (json) {
            System.out.println(Json.writeString(out));
        } else {
            out.forEach((k, v) -> System.out.println(k + " " + v));
        }
        return 0;
    }

    static void log(String s) {
        System.err.println("bench: " + s);
    }

    static byte[] rating(String prefix, int i) {
        return Json.write(new Rating(prefix + "-" + i, "syn-" + (i % 5000), "rater-" + (i % 997), 1 + i % 5,
                Instant.parse("2026-03-01T10:00:00Z")));
    }

    static double raw(String bootstrap, int n, String prefix) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(Topics.RATINGS);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(Topics.RATINGS, "syn-" + (i % 5000), rating(prefix, i)));
            }
            producer.flush();
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    double http(String url, String key, int n, int perRequest, String prefix) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int requests = (n + perRequest - 1) / perRequest;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    int r;
                    while ((r = next.getAndIncrement()) < requests) {
                        StringBuilder body = new StringBuilder(perRequest * 130);
                        int from = r * perRequest;
                        int to = Math.min(n, from + perRequest);
                        if (perRequest > 1) {
                            body.append('[');
                        }
                        for (int i = from; i < to; i++) {
                            if (i > from) {
                                body.append(',');
                            }
                            body.append(new String(rating(prefix, i), StandardCharsets.UTF_8));
                        }
                        if (perRequest > 1) {
                            body.append(']');
                        }
                        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/v1/ratings"))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
                        try {
                            HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
                            if (resp.statusCode() != 202) {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            throw new UserFacingException(failed.get() + " of " + requests + " benchmark requests were not accepted");
        }
        return n / seconds;
    }
}
