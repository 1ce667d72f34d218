package org.speechalign.synth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Kafka client settings (prefix {@code kafka}): {@code KAFKA_BOOTSTRAP_SERVERS}; any other client
 * property (TLS, SASL) passes through as {@code kafka.client.<property>}.
 *
 * @param bootstrapServers host:port list (default 127.0.0.1:9092)
 */
@ConfigurationProperties("kafka")
public record KafkaSettings(@Bindable(defaultValue = "127.0.0.1:9092") String bootstrapServers) {
}
