package org.speechalign.synth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * PostgreSQL settings (prefix {@code database}: {@code DATABASE_URL}, {@code DATABASE_USER},
 * {@code DATABASE_PASSWORD}); TLS goes in the JDBC URL.
 */
@ConfigurationProperties("database")
public record DatabaseSettings(
        @Bindable(defaultValue = "jdbc:postgresql://127.0.0.1:5432/speechalign") String url,
        @Bindable(defaultValue = "postgres") String user,
        @Nullable String password,
        @Bindable(defaultValue = "8") int maxPoolSize,
        @Bindable(defaultValue = "true") boolean migrate) {
}
