package org.speechalign.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An embedded Kafka broker plus an embedded PostgreSQL under one home directory
 * ({@code SPEECHALIGN_HOME}, default {@code .speechalign/} under the working directory), with
 * the platform's topics created. Close stops both (PostgreSQL only if this runtime started it).
 */
public final class EmbeddedRuntime implements AutoCloseable {

    /** Environment variable naming the embedded mode's data directory. */
    public static final String HOME_ENV = "SPEECHALIGN_HOME";
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final EmbeddedKafka kafka;
    private final EmbeddedPostgres postgres;

    private EmbeddedRuntime(Path home, EmbeddedKafka kafka, EmbeddedPostgres postgres) {
        this.home = home;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    /** {@code $SPEECHALIGN_HOME}, or {@code .speechalign} under the working directory. */
    public static Path defaultHome() {
        String env = System.getenv(HOME_ENV);
        return (env == null || env.isBlank() ? Path.of(".speechalign") : Path.of(env)).toAbsolutePath().normalize();
    }

    /**
     * Starts both servers under {@code home} (PostgreSQL first, then Kafka), creating the topics.
     *
     * @param kafkaPort    client port of the broker, 0 for a free one
     * @param postgresPort port of PostgreSQL, 0 for a free one
     */
    public static EmbeddedRuntime start(Path home, int kafkaPort, int postgresPort) throws IOException {
        Files.createDirectories(home);
        EmbeddedPostgres pg = EmbeddedPostgres.start(home, postgresPort, START_TIMEOUT);
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(home, kafkaPort, START_TIMEOUT);
            kafka.createPlatformTopics();
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return new EmbeddedRuntime(home, kafka, pg);
    }

    public Path home() {
        return home;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            postgres.close();
        }
    }
}
