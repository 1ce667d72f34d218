package org.speechalign.feedback;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Kafka client settings (prefix {@code kafka}). {@code KAFKA_BOOTSTRAP_SERVERS} sets the
 * bootstrap servers; any other client property (TLS, SASL) passes through as
 * {@code kafka.client.<property>} (environment {@code KAFKA_CLIENT_SECURITY_PROTOCOL=SSL}, …).
 *
 * @param bootstrapServers host:port list (default 127.0.0.1:9092)
 * @param lingerMs         producer linger in ms: a larger value batches more, a single request waits it out (default 1)
 * @param compression      producer compression type (default lz4)
 */
@ConfigurationProperties("kafka")
public record KafkaSettings(
        @Bindable(defaultValue = "127.0.0.1:9092") String bootstrapServers,
        @Bindable(defaultValue = "1") int lingerMs,
        @Bindable(defaultValue = "lz4") String compression) {
}
