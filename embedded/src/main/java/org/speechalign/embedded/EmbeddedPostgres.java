package org.speechalign.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL server run from the zonky binaries (or Debian's PostgreSQL 15 when those are
 * missing), data kept under {@code <dir>/postgres}, listening on 127.0.0.1 only with trust
 * authentication (user {@code postgres}, database {@code speechalign}).
 *
 * <p>PostgreSQL refuses to run as root; when this JVM is root the server runs in a new user
 * namespace ({@code unshare -U}) where it is an unprivileged user. A second process that finds
 * the server already running on the same directory attaches to it instead ({@link #isOwner()}
 * is then false and {@link #close()} leaves it running).
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String DATABASE = "speechalign";
    public static final String USER = "postgres";
    private static final String ZONKY_ARCHIVE = "postgres-linux-x86_64.txz";
    private static final Path DEBIAN_BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;
    private final Process process;

    private EmbeddedPostgres(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts PostgreSQL with data under {@code dir/postgres} or attaches to the one already running there.
     *
     * @param port TCP port, 0 for any free port (ignored when attaching)
     */
    public static EmbeddedPostgres start(Path dir, int port, Duration timeout) throws IOException {
        Path data = dir.resolve("postgres").resolve("data");
        Optional<Integer> running = runningPort(data);
        if (running.isPresent()) {
            EmbeddedPostgres attached = new EmbeddedPostgres(dir, running.get(), null);
            attached.awaitReady(timeout);
            return attached;
        }
        Path bin = binaries(dir.resolve("postgres"));
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            Files.createDirectories(data.getParent());
            deleteRecursively(data);
            List<String> initdb = command(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                    "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync");
            run(initdb, dir.resolve("postgres").resolve("initdb.log"), Duration.ofMinutes(2));
        }
        int chosen = port == 0 ? freePort() : port;
        List<String> postgres = command(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(chosen),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                "-c", "max_connections=200",
                "-c", "shared_buffers=64MB");
        Process process = new ProcessBuilder(postgres)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres").resolve("postgres.log").toFile()))
                .start();
        EmbeddedPostgres pg = new EmbeddedPostgres(dir, chosen, process);
        try {
            pg.awaitReady(timeout);
            pg.ensureDatabase();
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    /** Empty: the embedded server trusts local connections. */
    public String password() {
        return "";
    }

    /** Whether this object started the server (and {@link #close()} stops it). */
    public boolean isOwner() {
        return process != null;
    }

    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl());
        ds.setUser(USER);
        return ds;
    }

    /** Stops the server (fast shutdown: open sessions are ended) when this object started it. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IOException("PostgreSQL exited with status " + process.exitValue() + ": see "
                        + dir.resolve("postgres").resolve("postgres.log"));
            }
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for PostgreSQL", e);
            }
        }
        throw new IOException("PostgreSQL not ready on port " + port + " after " + timeout.toSeconds() + " s: " + last);
    }

    private void ensureDatabase() throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    /** Port of a live server on this data directory, from its postmaster.pid. */
    static Optional<Integer> runningPort(Path data) {
        Path pidFile = data.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(port) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The bin/ directory: the zonky archive unpacked once under {@code pgDir/bin-<archive size>}, else Debian's. */
    static Path binaries(Path pgDir) throws IOException {
        try (InputStream archive = EmbeddedPostgres.class.getClassLoader().getResourceAsStream(ZONKY_ARCHIVE)) {
            if (archive != null) {
                Path target = pgDir.resolve("binaries");
                Path marker = target.resolve(".complete");
                if (!Files.exists(marker)) {
                    deleteRecursively(target);
                    Files.createDirectories(target);
                    Process tar = new ProcessBuilder("tar", "-xJf", "-", "-C", target.toString())
                            .redirectErrorStream(true).start();
                    try (OutputStream in = tar.getOutputStream()) {
                        archive.transferTo(in);
                    }
                    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (waitFor(tar) != 0) {
                        throw new IOException("cannot unpack the PostgreSQL binaries with tar: " + out);
                    }
                    Files.writeString(marker, "ok\n");
                }
                return target.resolve("bin");
            }
        }
        if (Files.isExecutable(DEBIAN_BIN.resolve("postgres"))) {
            return DEBIAN_BIN;
        }
        throw new IOException("no PostgreSQL binaries: neither the zonky archive on the classpath nor "
                + DEBIAN_BIN + " (install postgresql-15)");
    }

    /** PostgreSQL refuses to run as root: run it in a user namespace where it is not. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.add("unshare");
            cmd.add("-U");
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> cmd, Path log, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int waitFor(Process p) throws IOException {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static int freePort() throws IOException {
        return freePorts(1)[0];
    }

    /** {@code n} distinct free ports (all sockets are held open together, so no port repeats). */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** Deletes a directory tree, ignoring failures (temporary directories). */
    public static void deleteRecursivelyQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
