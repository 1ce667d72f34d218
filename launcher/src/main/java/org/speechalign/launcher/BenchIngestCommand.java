package org.speechalign.launcher;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
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
import java.util.Arrays;
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
import org.apache.kafka.clients.admin.Admin;
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
import org.speechalign.embedded.EmbeddedKafka;
import org.speechalign.feedback.FeedbackService;
import org.speechalign.feedback.FeedbackSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code speechalign bench ingest}: ratings/s through HTTP next to a raw Kafka producer, one run. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ratings/s through the feedback-service's HTTP API, single and batched, next to a raw "
                + "Kafka producer (acks=all, idempotent, lz4) sending the same records, interleaved over --runs runs "
                + "(medians reported) on a fresh embedded broker and PostgreSQL. The service's sink runs meanwhile, as "
                + "in production; each path starts once the sink has stored everything before it, and its CPU is counted "
                + "until the sink has stored its own ratings.")
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

    @Option(names = "--client", description = "HTTP client: 'plain' (one keep-alive HTTP/1.1 socket per client thread, "
            + "the least client work) or 'jdk' (java.net.http.HttpClient) (default ${DEFAULT-VALUE})")
    String client = "plain";

    @Option(names = "--warmup", description = "single-rating requests sent before measuring (after 100,000 batched ones), so "
            + "that the JIT has compiled the request path: C2 compiles a method after ~10^4 calls, and with fewer the first "
            + "run measured the compiler too (default ${DEFAULT-VALUE})")
    int warmup = 40_000;

    @Option(names = "--warmup-max", description = "then more single-rating requests, 10,000 at a time, while the JIT compiler "
            + "still spent over 10%% of a round's time compiling (on a contended machine its one C2 thread falls behind), "
            + "up to this many (default ${DEFAULT-VALUE}; 0: no such rounds)")
    int warmupMax = 200_000;

    @Option(names = "--runs", description = "measurements of each path, interleaved; medians are reported (default ${DEFAULT-VALUE})")
    int runs = 3;

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
            try (Admin sinkAdmin = rt.kafka().admin()) {
                String key = new ApiKeys(rt.postgres().dataSource())
                        .create("bench", EnumSet.of(ApiKeys.Role.INGEST), Integer.MAX_VALUE).secret();
                String url = FeedbackService.url(ctx);
                FeedbackSettings settings = ctx.getBean(FeedbackSettings.class);
                Sink sink = new Sink(sinkAdmin, settings.sinkGroupId());
                double loadAtStart = loadAverage();
                log("warm-up (JIT, connections) ...");
                raw(rt.kafka().bootstrapServers(), 20_000, "warm-r");
                http(url, key, 100_000, batch, "warm-b");
                sink.awaitStored();
                http(url, key, warmup, 1, "warm-s");
                int settling = 0;
                while (settling < warmupMax) {
                    long jit = jitMillis();
                    long start = System.nanoTime();
                    http(url, key, 10_000, 1, "warm-j" + settling);
                    settling += 10_000;
                    double share = (jitMillis() - jit) / ((System.nanoTime() - start) / 1e6);
                    log("warm-up: JIT compiled " + Math.round(share * 100) + "% of the last 10,000 single requests' time");
                    if (share <= 0.10) {
                        break;
                    }
                }
                sink.awaitStored(); // the warm-ups' rows, so that the first measurement does not pay for them
                DistributionSummary groups = ctx.getBean(MeterRegistry.class) // registered by the first request
                        .get("feedback.claim.group.requests").tag("kind", "rating").summary();
                Phase raw = new Phase(ratings, sink, groups);
                Phase batched = new Phase(ratings, sink, groups);
                Phase singles = new Phase(single, sink, groups);
                for (int run = 1; run <= runs; run++) {
                    String r = "run " + run + "/" + runs + ": ";
                    String suffix = Integer.toString(run);
                    log(r + "raw Kafka producer, " + ratings + " ratings ...");
                    raw.measure(() -> new Sent(raw(rt.kafka().bootstrapServers(), ratings, "raw" + suffix), new long[0]));
                    log(r + "HTTP batched (" + batch + " per request, " + concurrency + " clients), " + ratings + " ratings ...");
                    batched.measure(() -> http(url, key, ratings, batch, "batch" + suffix));
                    log(r + "HTTP single (" + concurrency + " clients), " + single + " ratings ...");
                    singles.measure(() -> http(url, key, single, 1, "single" + suffix));
                    log(r + "raw " + Math.round(raw.rates.get(run - 1)) + ", batched " + Math.round(batched.rates.get(run - 1))
                            + ", single " + Math.round(singles.rates.get(run - 1)) + " ratings/s");
                }
                double rawMedian = median(raw.rates);
                double batchedMedian = median(batched.rates);
                double singleMedian = median(singles.rates);
                out.put("raw_kafka_ratings_per_s", Math.round(rawMedian));
                out.put("http_batched_ratings_per_s", Math.round(batchedMedian));
                out.put("http_single_ratings_per_s", Math.round(singleMedian));
                out.put("batched_over_raw", Math.round(batchedMedian / rawMedian * 1000) / 1000.0);
                out.put("single_over_raw", Math.round(singleMedian / rawMedian * 1000) / 1000.0);
                out.put("runs", runs);
                out.put("raw_kafka_runs", raw.rates.stream().map(Math::round).toList());
                out.put("http_batched_runs", batched.rates.stream().map(Math::round).toList());
                out.put("http_single_runs", singles.rates.stream().map(Math::round).toList());
                out.put("jvm_cpu_us_per_rating", perPath(raw.jvmCpu, batched.jvmCpu, singles.jvmCpu));
                out.put("jvm_cpu_note", "CPU time of this one JVM (HTTP clients, feedback-service, broker, sink, JIT compiler) "
                        + "per rating from the start of a path until the sink had stored its ratings, median");
                out.put("postgres_cpu_us_per_rating", perPath(raw.postgresCpu, batched.postgresCpu, singles.postgresCpu));
                out.put("postgres_cpu_note", "CPU time of the embedded PostgreSQL's processes (claims, the sink's upserts) per "
                        + "rating over the same span, median; with the JVM's, what the path costs the machine");
                out.put("jit_compile_ms", perPath(raw.jitMillis, batched.jitMillis, singles.jitMillis));
                out.put("stored_ratings_per_s", perPath(raw.storedRates, batched.storedRates, singles.storedRates));
                out.put("stored_note", "ratings/s until the sink had stored the path's every rating in PostgreSQL (from the "
                        + "start of sending to the sink's offset commit), median; each path starts with nothing left to store");
                Map<String, Object> groupMeans = new LinkedHashMap<>();
                groupMeans.put("http_batched", Math.round(median(batched.groupMeans) * 10) / 10.0);
                groupMeans.put("http_single", Math.round(median(singles.groupMeans) * 10) / 10.0);
                out.put("claim_group_requests_mean", groupMeans);
                out.put("claim_group_note", "requests whose ids one PostgreSQL statement claimed together, mean, median over runs");
                Map<String, Object> latency = new LinkedHashMap<>();
                latency.put("http_batched", Map.of("p50", median(batched.p50Millis), "p99", median(batched.p99Millis)));
                latency.put("http_single", Map.of("p50", median(singles.p50Millis), "p99", median(singles.p99Millis)));
                out.put("request_latency_ms", latency);
                out.put("request_latency_note", "time from sending a request to reading its answer, per client, percentiles of "
                        + "a run, median over runs; the clients send one request at a time, so rate ≈ clients / latency");
                out.put("load_average_at_start", loadAtStart);
                out.put("load_average_at_end", loadAverage());
                out.put("warmup_single_requests", warmup + settling);
                out.put("ratings", ratings);
                out.put("single_ratings", single);
                out.put("batch_size", batch);
                out.put("http_clients", concurrency);
                out.put("claim_workers", settings.claimWorkers());
                out.put("claim_single_workers", settings.claimSingleWorkers());
                out.put("claim_linger_ms", settings.claimLinger().toNanos() / 1e6);
                out.put("sink_consumers", settings.sinkConsumers());
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

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double loadAverage() {
        return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 10) / 10.0;
    }

    /**
     * CPU time of the embedded PostgreSQL (a child of this JVM): user + system time of every live
     * postgres process plus what its exited children used (their time is added to the parent's
     * cutime/cstime when it reaps them). From /proc, in clock ticks of 10 ms.
     */
    static long postgresCpuNanos() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .mapToLong(p -> {
                    try {
                        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        // after "pid (comm) ": state is f[0]; utime, stime, cutime, cstime are fields 14 to 17 of stat(5)
                        return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                                * 10_000_000L;
                    } catch (IOException | RuntimeException e) {
                        return 0; // exited meanwhile: its time is in its parent's cutime
                    }
                }).sum();
    }

    static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** The service's sink, seen from outside through one admin client: whether it has stored everything sent so far. */
    record Sink(Admin admin, String groupId) {
        static final Duration TIMEOUT = Duration.ofMinutes(10);

        /** Polls the sink's committed offsets (it commits after the database commit) until they reach the topics' ends. */
        void awaitStored() throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!EmbeddedKafka.committedEverything(admin, groupId, List.of(Topics.RATINGS))) {
                if (System.nanoTime() > deadline) {
                    throw new UserFacingException("the feedback-service's sink did not store the ratings sent within " + TIMEOUT);
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * One path's measurements over the runs: the acknowledged rate, the rate until stored, and per
     * rating the CPU of this JVM and of PostgreSQL until stored, the JIT's time and the mean claim group.
     */
    static final class Phase {
        final int ratings;
        final Sink sink;
        final DistributionSummary groups;
        final List<Double> rates = new ArrayList<>();
        final List<Double> storedRates = new ArrayList<>();
        final List<Double> jvmCpu = new ArrayList<>();
        final List<Double> postgresCpu = new ArrayList<>();
        final List<Double> jitMillis = new ArrayList<>();
        final List<Double> groupMeans = new ArrayList<>();
        final List<Double> p50Millis = new ArrayList<>();
        final List<Double> p99Millis = new ArrayList<>();

        Phase(int ratings, Sink sink, DistributionSummary groups) {
            this.ratings = ratings;
            this.sink = sink;
            this.groups = groups;
        }

        void measure(Callable<Sent> run) throws Exception {
            long cpu = cpuNanos();
            long pg = postgresCpuNanos();
            long jit = jitMillis();
            long groupCount = groups.count();
            double groupTotal = groups.totalAmount();
            long start = System.nanoTime();
            Sent sent = run.call();
            rates.add(sent.ratesPerSecond());
            if (sent.requestNanos().length > 0) {
                p50Millis.add(sent.percentileMillis(0.50));
                p99Millis.add(sent.percentileMillis(0.99));
            }
            sink.awaitStored();
            storedRates.add(ratings / ((System.nanoTime() - start) / 1e9));
            jvmCpu.add((cpuNanos() - cpu) / 1e3 / ratings);
            postgresCpu.add((postgresCpuNanos() - pg) / 1e3 / ratings);
            jitMillis.add((double) (jitMillis() - jit));
            long claimed = groups.count() - groupCount;
            groupMeans.add(claimed == 0 ? 0 : (groups.totalAmount() - groupTotal) / claimed);
        }
    }

    static Map<String, Object> perPath(List<Double> raw, List<Double> batched, List<Double> single) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("raw_kafka", Math.round(median(raw)));
        m.put("http_batched", Math.round(median(batched)));
        m.put("http_single", Math.round(median(single)));
        return m;
    }

    static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void log(String s) {
        System.err.println("bench: " + s);
    }

    /** One creation time for every rating the bench sends (parsed once: it was the load generator's own CPU). */
    private static final Instant CREATED_AT = Instant.parse("2026-03-01T10:00:00Z");

    static byte[] rating(String prefix, int i) {
        return Json.write(new Rating(prefix + "-" + i, "syn-" + (i % 5000), "rater-" + (i % 997), 1 + i % 5, CREATED_AT));
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

    /** The JSON body of request {@code r}: one rating, or an array of {@code perRequest}. */
    static String body(String prefix, int n, int perRequest, int r) {
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
        return body.toString();
    }

    /** One client thread's way of POSTing a body; returns the HTTP status. */
    interface Poster extends AutoCloseable {
        int post(String body) throws IOException, InterruptedException;

        @Override
        default void close() throws IOException {
        }
    }

    /** What a path's run achieved: ratings acknowledged per second, and each request's time (sorted; none for raw). */
    record Sent(double ratesPerSecond, long[] requestNanos) {
        double percentileMillis(double q) {
            int i = (int) Math.min(requestNanos.length - 1, Math.ceil(q * requestNanos.length) - 1);
            return Math.round(requestNanos[Math.max(0, i)] / 1e4) / 100.0;
        }
    }

    Sent http(String url, String key, int n, int perRequest, String prefix) throws Exception {
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI target = URI.create(url + "/v1/ratings");
        int requests = (n + perRequest - 1) / perRequest;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[] requestNanos = new long[requests];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    try (Poster poster = client.equals("jdk") ? jdkPoster(jdk, target, key) : new PlainPoster(target, key)) {
                        int r;
                        while ((r = next.getAndIncrement()) < requests) {
                            try {
                                String body = body(prefix, n, perRequest, r);
                                long sent = System.nanoTime();
                                int status = poster.post(body);
                                requestNanos[r] = System.nanoTime() - sent;
                                if (status != 202) {
                                    failed.incrementAndGet();
                                }
                            } catch (IOException e) {
                                failed.incrementAndGet();
                            }
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
        Arrays.sort(requestNanos);
        return new Sent(n / seconds, requestNanos);
    }

    static Poster jdkPoster(HttpClient client, URI target, String key) {
        return body -> client.send(HttpRequest.newBuilder(target)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * A minimal HTTP/1.1 client: one keep-alive connection, one request at a time, what a
     * load generator such as wrk does; it reads the status line, the headers and a
     * Content-Length body, and reconnects when the server closes the connection.
     */
    static final class PlainPoster implements Poster {
        private final URI target;
        private final byte[] head;
        private Socket socket;
        private BufferedInputStream in;
        private OutputStream out;

        PlainPoster(URI target, String key) {
            this.target = target;
            this.head = ("POST " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                    + "\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: ")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int post(String body) throws IOException {
            try {
                return exchange(body);
            } catch (IOException | RuntimeException e) {
                close(); // the connection's state is unknown: a new one for the next request
                throw e;
            }
        }

        private int exchange(String body) throws IOException {
            if (socket == null) {
                socket = new Socket(target.getHost(), target.getPort());
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(120_000);
                in = new BufferedInputStream(socket.getInputStream(), 8192);
                out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(head);
            out.write((b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            int length = 0;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Integer.parseInt(h.substring(colon + 1).trim());
                } else if (name.equalsIgnoreCase("Connection") && h.substring(colon + 1).trim().equalsIgnoreCase("close")) {
                    close = true;
                }
            }
            if (in.readNBytes(length).length != length) {
                throw new EOFException("response body cut short");
            }
            if (close) {
                close();
            }
            return code;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new EOFException("connection closed by the server");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }
}
