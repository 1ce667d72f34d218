package org.speechalign.prefbuilder;

import java.util.HashMap;
import java.util.Map;

/**
 * pref-builder as the launcher's {@code serve} runs it beside the Micronaut services: the same
 * property names they get ({@code kafka.bootstrap-servers}, {@code database.url},
 * {@code database.user}, {@code database.password}) plus {@code pref-builder.http-port},
 * {@code pref-builder.state-dir} and the batch policy's {@code pref-builder.batch-threshold},
 * {@code pref-builder.batch-max-age} (ISO-8601) and {@code pref-builder.batch-check-interval} (ISO-8601),
 * layered over the process environment read by
 * {@link PrefBuilderConfig#fromEnv} (so every {@code PREF_BUILDER_*}, {@code PAIRING_*} and
 * {@code BATCH_*} variable applies as well).
 */
public final class PrefBuilderService {

    public static final String NAME = "pref-builder";
    public static final int DEFAULT_PORT = PrefBuilderConfig.DEFAULT_HTTP_PORT;
    /** Property of its HTTP port ({@code /health}, {@code /prometheus}). */
    public static final String PORT_PROPERTY = "pref-builder.http-port";
    /** Property of its Kafka Streams state directory. */
    public static final String STATE_DIR_PROPERTY = "pref-builder.state-dir";
    /** Property of {@link BatchPolicy#threshold()} (as {@code BATCH_THRESHOLD}). */
    public static final String BATCH_THRESHOLD_PROPERTY = "pref-builder.batch-threshold";
    /** Property of {@link BatchPolicy#maxAge()}, ISO-8601 (as {@code BATCH_MAX_AGE}). */
    public static final String BATCH_MAX_AGE_PROPERTY = "pref-builder.batch-max-age";
    /** Property of {@link BatchPolicy#checkInterval()}, ISO-8601 (as {@code BATCH_CHECK_INTERVAL}). */
    public static final String BATCH_CHECK_INTERVAL_PROPERTY = "pref-builder.batch-check-interval";

    private static final Map<String, String> ENV_OF = Map.of(
            "kafka.bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS",
            "database.url", "DATABASE_URL",
            "database.user", "DATABASE_USER",
            "database.password", "DATABASE_PASSWORD",
            PORT_PROPERTY, "PREF_BUILDER_HTTP_PORT",
            STATE_DIR_PROPERTY, "PREF_BUILDER_STATE_DIR",
            BATCH_THRESHOLD_PROPERTY, "BATCH_THRESHOLD",
            BATCH_MAX_AGE_PROPERTY, "BATCH_MAX_AGE",
            BATCH_CHECK_INTERVAL_PROPERTY, "BATCH_CHECK_INTERVAL");

    private PrefBuilderService() {
    }

    /** The configuration {@code serve} starts: the environment, overridden by the properties above. */
    public static PrefBuilderConfig config(Map<String, Object> properties, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        ENV_OF.forEach((property, name) -> {
            Object v = properties.get(property);
            if (v != null) {
                env.put(name, v.toString());
            }
        });
        return PrefBuilderConfig.fromEnv(env);
    }

    /** Starts one instance (schema migration, topics, topology, sink, HTTP server). */
    public static PrefBuilderApp start(Map<String, Object> properties) {
        return PrefBuilderApp.start(config(properties, System.getenv()));
    }
}
