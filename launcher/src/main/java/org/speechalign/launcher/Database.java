package org.speechalign.launcher;

import java.io.IOException;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.speechalign.embedded.EmbeddedPostgres;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.migrations.Migrations;

/**
 * The database a command works on: the external one when DATABASE_URL is set, otherwise the
 * embedded one under SPEECHALIGN_HOME (attached when {@code serve --embedded} runs, else started
 * for the duration of the command). Migrations are applied either way (idempotent).
 */
final class Database implements AutoCloseable {

    final DataSource dataSource;
    final String description;
    private final EmbeddedPostgres embedded;

    private Database(DataSource dataSource, String description, EmbeddedPostgres embedded) {
        this.dataSource = dataSource;
        this.description = description;
        this.embedded = embedded;
    }

    static Database open() {
        String url = System.getenv("DATABASE_URL");
        Database db;
        if (url != null && !url.isBlank()) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            if (System.getenv("DATABASE_USER") != null) {
                ds.setUser(System.getenv("DATABASE_USER"));
            }
            if (System.getenv("DATABASE_PASSWORD") != null) {
                ds.setPassword(System.getenv("DATABASE_PASSWORD"));
            }
            db = new Database(ds, url, null);
        } else {
            java.nio.file.Path home = EmbeddedRuntime.defaultHome();
            try {
                // attaches to serve --embedded's server when it runs (whatever its --postgres-port); otherwise
                // starts one for this command only, on any free port (15432 may be another program's)
                EmbeddedPostgres pg = EmbeddedPostgres.start(home, 0, Duration.ofSeconds(60));
                db = new Database(pg.dataSource(), "embedded PostgreSQL under " + home, pg);
            } catch (IOException e) {
                throw new UserFacingException("no DATABASE_URL and the embedded PostgreSQL under " + home + " cannot start: " + e.getMessage());
            }
        }
        try {
            Migrations.migrate(db.dataSource);
        } catch (RuntimeException e) {
            db.close();
            throw new UserFacingException("cannot migrate " + db.description + ": " + ServeCommand.rootMessage(e));
        }
        return db;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
