package org.speechalign.feedback;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * PostgreSQL settings (prefix {@code database}: {@code DATABASE_URL}, {@code DATABASE_USER},
 * {@code DATABASE_PASSWORD}). TLS settings go in the JDBC URL ({@code ?sslmode=verify-full}).
 *
 * @param url         JDBC URL (default jdbc:postgresql://127.0.0.1:5432/speechalign)
 * @param user        user (default postgres)
 * @param password    password (default none)
 * @param maxPoolSize connection pool size (default 16)
 * @param migrate     apply the Flyway migrations at start-up (default true)
 */
@ConfigurationProperties("database")
public record DatabaseSettings(
        @Bindable(defaultValue = "jdbc:postgresql://127.0.0.1:5432/speechalign") String url,
        @Bindable(defaultValue = "postgres") String user,
        @Nullable String password,
        @Bindable(defaultValue = "16") int maxPoolSize,
        @Bindable(defaultValue = "true") boolean migrate) {
}
