package org.speechalign.migrations;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the platform schema (classpath {@code db/migration}) with Flyway. Safe when several
 * instances start at once: Flyway serialises migrations with a PostgreSQL advisory lock, and
 * the ones that lose the race find the schema already at the latest version.
 */
public final class Migrations {

    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {
    }

    /** Migrates to the latest version; returns how many migrations this call applied. */
    public static int migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
