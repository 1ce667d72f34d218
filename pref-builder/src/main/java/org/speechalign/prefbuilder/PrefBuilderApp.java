package org.speechalign.prefbuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.Topics;
import org.speechalign.migrations.Migrations;

/**
 * One pref-builder instance: the Kafka Streams topology ({@link PrefBuilderTopology}, exactly_once_v2)
 * plus the PostgreSQL sink and batcher thread. Start with {@link #start(PrefBuilderConfig)}, stop with
 * {@link #close()}; several instances with the same ids share the work.
 *
 * <p>Embedded {@code serve}: {@code PrefBuilderApp.start(PrefBuilderConfig.of(kafka, jdbcUrl, user, password, stateDir))}.
 * As a process: {@code java … org.speechalign.prefbuilder.PrefBuilderApp} with the environment of
 * {@link PrefBuilderConfig#fromEnv}.
 */
public final class PrefBuilderApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrefBuilderApp.class);

    private final PrefBuilderConfig config;
    private final Counters counters = new Counters();
    private final KafkaStreams streams;
    private final KafkaConsumer<String, byte[]> sinkConsumer;
    private final KafkaProducer<String, byte[]> batchProducer;
    private final Thread sinkThread;
    private final Thread batcherThread;
    /** Signalled by the sink after a flush that wrote pairs: the batcher looks at once rather than at its next interval. */
    private final java.util.concurrent.Semaphore batchCheckDue = new java.util.concurrent.Semaphore(0);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch sinkStopped = new CountDownLatch(1);
    private volatile Throwable sinkFailure;
    private volatile PrefBuilderHttp http;
    /** Sink timing, cumulative (for {@link #diagnostics()}): polls that returned records, nanos writing PostgreSQL, nanos committing offsets. */
    private final java.util.concurrent.atomic.AtomicLong sinkWrites = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sinkWriteNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sinkCommitNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sinkReadNanos = new java.util.concurrent.atomic.AtomicLong();

    private PrefBuilderApp(PrefBuilderConfig config) {
        this.config = config;
        this.streams = new KafkaStreams(PrefBuilderTopology.build(config.topics(), config.pairing(), counters), streamsProperties(config));
        this.streams.setUncaughtExceptionHandler(e -> {
            LOG.error("pref-builder stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        this.sinkConsumer = new KafkaConsumer<>(sinkConsumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
        this.batchProducer = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
        this.sinkThread = new Thread(this::sinkLoop, "pref-builder-sink-" + config.instanceId());
        this.batcherThread = new Thread(this::batcherLoop, "pref-builder-batcher-" + config.instanceId());
    }

    /** Migrates the schema (when configured), creates missing topics, starts the topology and the sink. */
    public static PrefBuilderApp start(PrefBuilderConfig config) {
        if (config.migrate()) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setUrl(config.jdbcUrl());
            ds.setUser(config.dbUser());
            ds.setPassword(config.dbPassword());
            Migrations.migrate(ds);
        }
        ensureTopics(config);
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrefBuilderApp app = new PrefBuilderApp(config);
        if (config.httpPort() >= 0) {
            app.http = PrefBuilderHttp.start(config.httpPort(), app::status);
        }
        app.streams.start();
        app.sinkThread.start();
        app.batcherThread.start();
        LOG.info("pref-builder {} started (application.id {}, sink group {})", config.instanceId(), config.applicationId(), config.sinkGroupId());
        return app;
    }

    public PrefBuilderConfig config() {
        return config;
    }

    public Counters counters() {
        return counters;
    }

    public KafkaStreams.State streamsState() {
        return streams.state();
    }

    /** The URL of {@code /health} and {@code /prometheus} (null when the HTTP server is off). */
    public String url() {
        PrefBuilderHttp h = http;
        return h == null ? null : "http://localhost:" + h.port() + "/";
    }

    private PrefBuilderHttp.Status status() {
        KafkaStreams.State state = streams.state();
        Map<String, String> components = new java.util.LinkedHashMap<>();
        components.put("streams", state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING
                ? "UP" : "DOWN: " + state);
        Throwable f = sinkFailure;
        components.put("sink", f != null ? "DOWN: " + f : !sinkThread.isAlive() ? "DOWN: stopped" : "UP");
        components.put("batcher", batcherThread.isAlive() ? "UP" : "DOWN: stopped");
        Map<String, Long> counts = counters.snapshot();
        return new PrefBuilderHttp.Status() {
            @Override
            public Map<String, String> components() {
                return components;
            }

            @Override
            public Map<String, Long> counters() {
                return counts;
            }

            @Override
            public String streamsState() {
                return state.name();
            }
        };
    }

    /** Cumulative Kafka Streams metrics {@link #diagnostics()} reports, summed over the stream threads and their producers. */
    static final Set<String> DIAGNOSTIC_METRICS = Set.of("commit-total", "process-total", "poll-total", "punctuate-total",
            "blocked-time-ns-total", "flush-time-ns-total", "txn-begin-time-ns-total", "txn-send-offsets-time-ns-total",
            "txn-commit-time-ns-total", "txn-abort-time-ns-total", "record-retry-total", "record-error-total", "record-send-total");

    /**
     * Where the time goes, as cumulative totals since start (take two snapshots and subtract): the stream
     * threads' commits, processed records and polls, the time their producers spent flushing, sending
     * offsets and committing transactions, retries and errors; and the sink's writes (count, rows, nanos per write in total
     * and of those reading the records, nanos committing offsets). For benchmarks and troubleshooting; not a stable interface.
     */
    public Map<String, Double> diagnostics() {
        Map<String, Double> m = new java.util.TreeMap<>();
        for (var e : streams.metrics().entrySet()) {
            String name = e.getKey().name();
            String group = e.getKey().group();
            if (!DIAGNOSTIC_METRICS.contains(name) || !(group.equals("stream-thread-metrics") || group.equals("producer-metrics"))) {
                continue;
            }
            if (e.getValue().metricValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                m.merge(name, n.doubleValue(), Double::sum);
            }
        }
        m.put("sink-writes-total", (double) sinkWrites.get());
        m.put("sink-write-ns-total", (double) sinkWriteNanos.get());
        m.put("sink-commit-ns-total", (double) sinkCommitNanos.get());
        m.put("sink-read-ns-total", (double) sinkReadNanos.get());
        m.put("sink-rows-total", (double) counters.sinkRows.get());
        return m;
    }

    /** Waits until the topology is RUNNING (its tasks are assigned and restored). */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (streams.state() == KafkaStreams.State.ERROR || sinkFailure != null) {
                return false;
            }
            Thread.sleep(50); // polling a state with a deadline
        }
        return false;
    }

    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        if (http != null) {
            http.close();
        }
        sinkConsumer.wakeup();
        batcherThread.interrupt();
        try {
            sinkStopped.await(30, TimeUnit.SECONDS);
            batcherThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        batchProducer.close(Duration.ofSeconds(10));
        LOG.info("pref-builder {} stopped: {}", config.instanceId(), counters.snapshot());
    }

    // ------------------------------------------------------------------ sink loop

    /**
     * Consumes pairs, syntheses and golden utterances and writes each poll in one database transaction,
     * then commits the offsets. Batching runs on its own thread ({@link #batcherLoop}), so a batch check
     * never delays the next write.
     */
    private void sinkLoop() {
        PostgresSink sink = new PostgresSink(config.topics());
        Connection db = null;
        int failures = 0;
        try {
            sinkConsumer.subscribe(List.of(config.topics().preferences(), config.topics().synthesis(), config.topics().golden()));
            while (running.get()) {
                try {
                    if (db == null || db.isClosed()) {
                        db = PostgresSink.connect(config);
                    }
                    ConsumerRecords<String, byte[]> records = sinkConsumer.poll(Duration.ofMillis(100));
                    if (!records.isEmpty()) {
                        long t0 = System.nanoTime();
                        counters.sinkRows.addAndGet(sink.write(db, records));
                        long t1 = System.nanoTime();
                        sinkConsumer.commitSync();
                        sinkWrites.incrementAndGet();
                        sinkWriteNanos.addAndGet(t1 - t0);
                        sinkReadNanos.addAndGet(sink.lastReadNanos);
                        sinkCommitNanos.addAndGet(System.nanoTime() - t1);
                        if (records.records(config.topics().preferences()).iterator().hasNext()
                                && batchCheckDue.availablePermits() == 0) {
                            batchCheckDue.release();
                        }
                    }
                    failures = 0;
                } catch (SQLException | RuntimeException e) {
                    if (e instanceof WakeupException) {
                        throw (WakeupException) e;
                    }
                    failures++;
                    LOG.warn("pref-builder sink: {} (attempt {}); rewinding to the committed offsets", e.toString(), failures);
                    closeQuietly(db);
                    db = null;
                    rewind();
                    Thread.sleep(PostgresSink.backoff(failures).toMillis()); // back-off before retrying a failed write
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            sinkFailure = t;
            LOG.error("pref-builder sink stopped", t);
        } finally {
            closeQuietly(db);
            sinkConsumer.close(Duration.ofSeconds(10));
            sinkStopped.countDown();
        }
    }

    /**
     * Closes and announces training batches ({@link Batcher}) on its own connection: every
     * {@code BATCH_CHECK_INTERVAL}, and at once after the sink wrote pairs. Safe beside other
     * instances' batchers (advisory lock, row locks).
     */
    private void batcherLoop() {
        Batcher batcher = new Batcher(config.batching(), batchProducer, config.topics().trainingBatches(),
                config.instanceId(), counters);
        Connection db = null;
        int failures = 0;
        try {
            while (running.get()) {
                batchCheckDue.tryAcquire(config.batching().checkInterval().toMillis(), TimeUnit.MILLISECONDS);
                batchCheckDue.drainPermits();
                if (!running.get()) {
                    break;
                }
                try {
                    if (db == null || db.isClosed()) {
                        db = PostgresSink.connect(config);
                    }
                    batcher.run(db);
                    failures = 0;
                } catch (SQLException | RuntimeException e) {
                    failures++;
                    LOG.warn("pref-builder batcher: {} (attempt {})", e.toString(), failures);
                    closeQuietly(db);
                    db = null;
                    Thread.sleep(PostgresSink.backoff(failures).toMillis()); // back-off before retrying
                }
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } finally {
            closeQuietly(db);
        }
    }

    private void rewind() {
        Set<TopicPartition> assigned = sinkConsumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = sinkConsumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata o = committed.get(tp);
            if (o != null) {
                sinkConsumer.seek(tp, o.offset());
            } else {
                sinkConsumer.seekToBeginning(List.of(tp));
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    // ------------------------------------------------------------------ configuration

    static Properties streamsProperties(PrefBuilderConfig c) {
        Properties p = new Properties();
        p.putAll(c.clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId());
        p.put(StreamsConfig.CLIENT_ID_CONFIG, c.applicationId() + "-" + c.instanceId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, c.stateDir().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(c.commitInterval().toMillis()));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(c.internalReplication()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(c.streamThreads()));
        // A restarted or added instance rejoins quickly (DESIGN.md: short session timeout).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        // Every join here is a table join that copes with any arrival order, so a task never needs to
        // wait for its other input partitions to line up timestamps: process what has arrived at once.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        // With transactions v2 (Kafka 4.x) the first write of a transaction to a partition can be answered
        // CONCURRENT_TRANSACTIONS while the previous commit completes; with several requests in flight the
        // ones behind it then fail OUT_OF_ORDER_SEQUENCE and everything retries with back-off, stalling
        // the stream thread for seconds. One request in flight and a short back-off keep that to milliseconds.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "1");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), "10");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG), "100");
        return p;
    }

    static Properties sinkConsumerProperties(PrefBuilderConfig c) {
        Properties p = new Properties();
        p.putAll(c.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.sinkGroupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.sinkGroupId() + "-" + c.instanceId());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // only pairs of committed Streams transactions
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(c.sinkMaxBatch()));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20"); // read_committed: answer soon after a Streams commit
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024)); // pair records are ~5 KB: let one poll fill a batch
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        return p;
    }

    static Properties producerProperties(PrefBuilderConfig c) {
        Properties p = new Properties();
        p.putAll(c.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "pref-builder-batches-" + c.instanceId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return p;
    }

    /** Creates pref-builder's topics when missing (Kafka Streams needs its input topics before it starts). */
    static void ensureTopics(PrefBuilderConfig c) {
        Properties p = new Properties();
        p.putAll(c.clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String name : c.topics().all()) {
                if (existing.contains(name)) {
                    continue;
                }
                String base = name.substring(c.topics().prefix().length());
                boolean compacted = Topics.byName(base).map(Topics.Topic::compacted).orElse(false);
                Map<String, String> cfg = new HashMap<>();
                if (compacted) {
                    cfg.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                }
                missing.add(new NewTopic(name, java.util.Optional.of(Topics.DEFAULT_PARTITIONS), java.util.Optional.empty()).configs(cfg));
            }
            for (var f : admin.createTopics(missing).values().values()) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic: " + e.getCause().getMessage(), e);
                    }
                }
            }
            // A just-created partition answers NOT_LEADER for a moment; wait until every one has a leader,
            // so the first writes do not start with retries.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                boolean ready;
                try {
                    ready = admin.describeTopics(c.topics().all()).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                            .allMatch(d -> d.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
                } catch (ExecutionException e) {
                    ready = false; // metadata not propagated yet
                }
                if (ready) {
                    break;
                }
                Thread.sleep(50); // polling topic metadata with a deadline
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot list topics on " + c.bootstrapServers() + ": " + e, e);
        }
    }

    /** Runs one instance until SIGTERM/Ctrl-C, configured from the environment. */
    public static void main(String[] args) throws InterruptedException {
        PrefBuilderApp app = start(PrefBuilderConfig.fromEnv(System.getenv()));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stop.countDown();
        }, "pref-builder-shutdown"));
        System.out.println("pref-builder " + app.config().instanceId() + " running (Kafka " + app.config().bootstrapServers() + ")"
                + (app.url() == null ? "" : " " + app.url()));
        stop.await();
    }
}
