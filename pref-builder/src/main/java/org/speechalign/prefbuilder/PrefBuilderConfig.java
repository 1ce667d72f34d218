package org.speechalign.prefbuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Everything pref-builder needs to run, typed. {@link #fromEnv} reads DESIGN.md's names
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code DATABASE_URL}, {@code DATABASE_USER},
 * {@code DATABASE_PASSWORD}) plus pref-builder's own ({@code PREF_BUILDER_*}, {@code PAIRING_*},
 * {@code BATCH_*}).
 *
 * @param bootstrapServers   Kafka bootstrap servers
 * @param applicationId      Kafka Streams application.id (also the prefix of its internal topics);
 *                           instances with the same id share the work. Default {@code pref-builder}.
 * @param sinkGroupId        consumer group of the PostgreSQL sink. Default {@code pref-builder-sink}.
 * @param stateDir           Kafka Streams state directory (one per instance)
 * @param jdbcUrl            PostgreSQL JDBC URL
 * @param dbUser             PostgreSQL user
 * @param dbPassword         PostgreSQL password
 * @param topics             topic names (prefix for tests)
 * @param pairing            pairing policy
 * @param batching           training batch policy
 * @param instanceId         name of this instance (logs, client ids)
 * @param commitInterval     Kafka Streams commit interval ({@code PREF_BUILDER_COMMIT_INTERVAL}): under exactly-once, how
 *                           often outputs become visible. Default 200 ms: each commit costs the stream thread a
 *                           producer flush, the offsets and the transaction commit (≈ 20–90 ms on the 2-core machine);
 *                           at 100 ms that was a third of its time, and in bench pairing (1,000 ratings/s, runs
 *                           interleaved) 200 ms gave the lower p50 and p99 in both pairs of runs.
 * @param internalReplication replication factor of Kafka Streams' internal topics (-1: the broker default)
 * @param sinkMaxBatch       most records the sink writes per database transaction. Default 2,000.
 * @param migrate            whether to apply the Flyway migrations at start. Default true.
 * @param streamThreads      Kafka Streams threads ({@code PREF_BUILDER_STREAM_THREADS}, default 1; a second
 *                           thread processes while the first waits for its exactly-once commit, but doubles the
 *                           transactions the broker handles — not measured to help on the 2-core machine)
 * @param httpPort           port of the small HTTP server with {@code /health} and {@code /prometheus}
 *                           ({@code PREF_BUILDER_HTTP_PORT}; default 8084 as a process, none (-1) for
 *                           {@link #of}; 0 picks a free port)
 * @param clientProperties   extra Kafka client properties (TLS, SASL) passed to every client
 */
public record PrefBuilderConfig(String bootstrapServers, String applicationId, String sinkGroupId, Path stateDir,
                                String jdbcUrl, String dbUser, String dbPassword, PrefTopics topics,
                                PairingPolicy pairing, BatchPolicy batching, String instanceId,
                                Duration commitInterval, int internalReplication, int sinkMaxBatch, boolean migrate,
                                int streamThreads, int httpPort, Properties clientProperties) {

    /** Default HTTP port of a pref-builder process ({@code /health}, {@code /prometheus}). */
    public static final int DEFAULT_HTTP_PORT = 8084;

    /** Default Kafka Streams commit interval (see {@code commitInterval}). */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);

    public static PrefBuilderConfig of(String bootstrapServers, String jdbcUrl, String dbUser, String dbPassword, Path stateDir) {
        return new PrefBuilderConfig(bootstrapServers, "pref-builder", "pref-builder-sink", stateDir, jdbcUrl, dbUser,
                dbPassword, PrefTopics.PLATFORM, PairingPolicy.DEFAULTS, BatchPolicy.DEFAULTS,
                "pref-builder-" + UUID.randomUUID().toString().substring(0, 8), DEFAULT_COMMIT_INTERVAL, -1, 2_000, true,
                1, -1, new Properties());
    }

    public static PrefBuilderConfig fromEnv(Map<String, String> env) {
        String bootstrap = require(env, "KAFKA_BOOTSTRAP_SERVERS");
        String url = require(env, "DATABASE_URL");
        Path state = Path.of(env.getOrDefault("PREF_BUILDER_STATE_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), "pref-builder-state").toString()));
        PrefBuilderConfig c = of(bootstrap, url, env.getOrDefault("DATABASE_USER", "postgres"),
                env.getOrDefault("DATABASE_PASSWORD", ""), state);
        return new PrefBuilderConfig(c.bootstrapServers, env.getOrDefault("PREF_BUILDER_APPLICATION_ID", c.applicationId),
                env.getOrDefault("PREF_BUILDER_SINK_GROUP_ID", c.sinkGroupId), c.stateDir, c.jdbcUrl, c.dbUser,
                c.dbPassword, new PrefTopics(env.getOrDefault("PREF_BUILDER_TOPIC_PREFIX", "")),
                PairingPolicy.fromEnv(env), BatchPolicy.fromEnv(env),
                env.getOrDefault("PREF_BUILDER_INSTANCE_ID", c.instanceId),
                Duration.parse(env.getOrDefault("PREF_BUILDER_COMMIT_INTERVAL", c.commitInterval.toString())),
                Integer.parseInt(env.getOrDefault("PREF_BUILDER_INTERNAL_REPLICATION", "-1")),
                Integer.parseInt(env.getOrDefault("PREF_BUILDER_SINK_MAX_BATCH", Integer.toString(c.sinkMaxBatch))),
                Boolean.parseBoolean(env.getOrDefault("PREF_BUILDER_MIGRATE", "true")),
                Integer.parseInt(env.getOrDefault("PREF_BUILDER_STREAM_THREADS", Integer.toString(c.streamThreads))),
                Integer.parseInt(env.getOrDefault("PREF_BUILDER_HTTP_PORT", Integer.toString(DEFAULT_HTTP_PORT))), new Properties());
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return v;
    }

    public PrefBuilderConfig withTopics(PrefTopics t) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, stateDir, jdbcUrl, dbUser, dbPassword,
                t, pairing, batching, instanceId, commitInterval, internalReplication, sinkMaxBatch, migrate, streamThreads, httpPort, clientProperties);
    }

    public PrefBuilderConfig withIds(String appId, String sinkGroup, String instance) {
        return new PrefBuilderConfig(bootstrapServers, appId, sinkGroup, stateDir, jdbcUrl, dbUser, dbPassword,
                topics, pairing, batching, instance, commitInterval, internalReplication, sinkMaxBatch, migrate, streamThreads, httpPort, clientProperties);
    }

    public PrefBuilderConfig withStateDir(Path dir) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, dir, jdbcUrl, dbUser, dbPassword,
                topics, pairing, batching, instanceId, commitInterval, internalReplication, sinkMaxBatch, migrate, streamThreads, httpPort, clientProperties);
    }

    public PrefBuilderConfig withPolicies(PairingPolicy p, BatchPolicy b) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, stateDir, jdbcUrl, dbUser, dbPassword,
                topics, p, b, instanceId, commitInterval, internalReplication, sinkMaxBatch, migrate, streamThreads, httpPort, clientProperties);
    }

    public PrefBuilderConfig withInternalReplication(int r) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, stateDir, jdbcUrl, dbUser, dbPassword,
                topics, pairing, batching, instanceId, commitInterval, r, sinkMaxBatch, migrate, streamThreads, httpPort, clientProperties);
    }

    public PrefBuilderConfig withHttpPort(int port) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, stateDir, jdbcUrl, dbUser, dbPassword,
                topics, pairing, batching, instanceId, commitInterval, internalReplication, sinkMaxBatch, migrate, streamThreads, port, clientProperties);
    }

    public PrefBuilderConfig withCommitInterval(Duration interval) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, stateDir, jdbcUrl, dbUser, dbPassword,
                topics, pairing, batching, instanceId, interval, internalReplication, sinkMaxBatch, migrate, streamThreads, httpPort, clientProperties);
    }

    public PrefBuilderConfig withStreamThreads(int threads) {
        return new PrefBuilderConfig(bootstrapServers, applicationId, sinkGroupId, stateDir, jdbcUrl, dbUser, dbPassword,
                topics, pairing, batching, instanceId, commitInterval, internalReplication, sinkMaxBatch, migrate, threads, httpPort, clientProperties);
    }
}
