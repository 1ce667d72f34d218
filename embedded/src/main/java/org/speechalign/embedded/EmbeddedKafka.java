package org.speechalign.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.speechalign.contracts.Topics;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) running in this JVM, logs
 * under {@code <dir>/kafka}. Single node, so every replication factor and min.insync.replicas
 * is 1. {@link #stop()} and {@link #start()} restart it on the same port and log directory
 * (what a broker restart test needs).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String CLUSTER_ID_FILE = "cluster.id";
    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats the log directory when new, starts the broker and waits until it answers.
     *
     * @param port client port, 0 for any free port; the controller listens on another free port
     */
    public static EmbeddedKafka start(Path dir, int port, Duration timeout) throws IOException {
        Path logDir = dir.resolve("kafka");
        Files.createDirectories(logDir);
        Path controllerPortFile = logDir.resolve("controller.port");
        int[] free = EmbeddedPostgres.freePorts(2);
        int chosen = port == 0 ? free[0] : port;
        int controllerPort = Files.exists(controllerPortFile)
                ? Integer.parseInt(Files.readString(controllerPortFile).trim())
                : (free[1] != chosen ? free[1] : free[0]);
        if (controllerPort == chosen) {
            throw new IOException("controller port " + controllerPort + " (from " + controllerPortFile
                    + ") equals the client port: choose another --kafka-port");
        }
        Files.writeString(controllerPortFile, Integer.toString(controllerPort));
        EmbeddedKafka kafka = new EmbeddedKafka(logDir, chosen, controllerPort);
        kafka.format();
        kafka.start();
        kafka.awaitReady(timeout);
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the broker again after {@link #stop()} (same port, same data). */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(config(), false), Time.SYSTEM);
        s.startup();
        server = s;
    }

    /** Stops the broker cleanly (flushes and closes its logs). */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stop();
    }

    /** Waits until the broker answers a metadata request. */
    public void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        throw new IOException("Kafka not ready on " + bootstrapServers() + " after " + timeout.toSeconds() + " s: " + last);
    }

    /** Creates every platform topic and its {@code .dlq} (existing ones are left alone). */
    public void createPlatformTopics() throws IOException {
        createPlatformTopics(bootstrapServers(), Topics.DEFAULT_PARTITIONS, (short) 1);
    }

    /** Creates every platform topic and its {@code .dlq} on any cluster (existing ones are left alone). */
    public static void createPlatformTopics(String bootstrapServers, int partitions, short replication) throws IOException {
        List<NewTopic> topics = new ArrayList<>();
        for (Topics.Topic t : Topics.ALL) {
            Map<String, String> cfg = new HashMap<>();
            if (t.compacted()) {
                cfg.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            topics.add(new NewTopic(t.name(), partitions, replication).configs(cfg));
            topics.add(new NewTopic(t.dlq(), partitions, replication));
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IOException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IOException("timed out creating topic " + entry.getKey(), e);
                }
            }
        }
    }

    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(props);
    }

    /**
     * Whether consumer group {@code group} has committed every record of {@code topics} (each
     * partition's committed offset at its end offset): for a consumer that commits after its
     * side effects, all of them are done. Takes the caller's admin client: callers poll this, and a
     * client per call costs its own threads, connection and metadata fetch.
     */
    public static boolean committedEverything(Admin admin, String group, Collection<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (var topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            topic.partitions().forEach(p -> ends.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest()));
        }
        for (var end : admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(end.getKey());
            if (end.getValue().offset() > 0 && (c == null || c.offset() < end.getValue().offset())) {
                return false;
            }
        }
        return true;
    }

    private Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", "1");
        c.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        c.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("log.dirs", logDir.toString());
        c.put("num.partitions", Integer.toString(Topics.DEFAULT_PARTITIONS));
        c.put("default.replication.factor", "1");
        c.put("min.insync.replicas", "1");
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "1");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "1");
        c.put("share.coordinator.state.topic.replication.factor", "1");
        c.put("share.coordinator.state.topic.min.isr", "1");
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("auto.create.topics.enable", "false");
        c.put("num.network.threads", "2");
        c.put("num.io.threads", "4");
        c.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return c;
    }

    private void format() throws IOException {
        Path idFile = logDir.resolve(CLUSTER_ID_FILE);
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                    .setClusterId(clusterId)
                    .setNodeId(1)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IOException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
        Files.writeString(idFile, clusterId);
    }
}
