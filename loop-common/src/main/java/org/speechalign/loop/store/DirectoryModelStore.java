package org.speechalign.loop.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link ModelStore} in a directory: {@code <dir>/<sha256>.salm}, URIs {@code file:///…}. Fetching
 * accepts {@code file:} and {@code http(s):} URIs (an artifact announced by another store) and keeps
 * verified copies of foreign artifacts in {@code <dir>/cache/}. Writes go to a temporary file and are
 * renamed atomically, so a reader never sees half a file.
 */
public final class DirectoryModelStore implements ModelStore {

    public static final String EXTENSION = ".salm";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public DirectoryModelStore(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(this.dir);
    }

    /** A store from configuration: a directory path or a {@code file:} URI. */
    public static DirectoryModelStore open(String location) throws IOException {
        if (location == null || location.isBlank()) throw new IllegalArgumentException("MODEL_STORE is not set");
        if (location.startsWith("file:")) return new DirectoryModelStore(Path.of(URI.create(location)));
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("MODEL_STORE " + location + ": only a directory (path or file: URI) is implemented");
        }
        return new DirectoryModelStore(Path.of(location));
    }

    public Path directory() {
        return dir;
    }

    @Override
    public Stored put(Path file) throws IOException {
        Path tmp = Files.createTempFile(dir, ".partial-", EXTENSION);
        try {
            String digest;
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha()); OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
                digest = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
            }
            Path target = pathOf(digest);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Stored(digest, uriOf(digest), Files.size(target));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String uriOf(String sha256) {
        return pathOf(sha256).toUri().toString();
    }

    @Override
    public boolean contains(String sha256) {
        return SHA256.matcher(sha256).matches() && Files.isRegularFile(pathOf(sha256));
    }

    @Override
    public Path fetch(String uri, String sha256) throws ArtifactVerificationException {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new ArtifactVerificationException("artifact_sha256 '" + sha256 + "' is not 64 lower-case hex digits");
        }
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ArtifactVerificationException("artifact_uri '" + uri + "' is not a URI", e);
        }
        String scheme = u.getScheme() == null ? "file" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
        Path cacheDir = dir.resolve("cache");
        Path tmp = null;
        try {
            Files.createDirectories(cacheDir);
            tmp = Files.createTempFile(cacheDir, ".fetch-", EXTENSION);
            String digest;
            try (InputStream raw = open(u, scheme); DigestInputStream in = new DigestInputStream(raw, sha());
                 OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
                digest = HexFormat.of().formatHex(in.getMessageDigest().digest());
            }
            if (!digest.equals(sha256)) {
                throw new ArtifactVerificationException("artifact " + uri + " has sha256 " + digest + " but " + sha256
                        + " was announced: refused (corrupted or tampered)");
            }
            Path verified = cacheDir.resolve(sha256 + EXTENSION);
            Files.move(tmp, verified, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return verified;
        } catch (IOException e) {
            throw new ArtifactVerificationException("cannot fetch artifact " + uri + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private InputStream open(URI u, String scheme) throws IOException, ArtifactVerificationException {
        switch (scheme) {
            case "file":
                return Files.newInputStream(localPath(u));
            case "http":
            case "https":
                try {
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(u).timeout(Duration.ofMinutes(5)).GET().build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    if (r.statusCode() != 200) {
                        r.body().close();
                        throw new ArtifactVerificationException("GET " + u + " answered " + r.statusCode());
                    }
                    return r.body();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            default:
                throw new ArtifactVerificationException("artifact_uri scheme '" + scheme + "' is not supported (file, http, https)");
        }
    }

    private static Path localPath(URI u) {
        return u.getScheme() == null ? Path.of(u.getPath()) : Path.of(u);
    }

    @Override
    public boolean delete(String sha256) throws IOException {
        if (!SHA256.matcher(sha256).matches()) return false;
        boolean existed = Files.deleteIfExists(pathOf(sha256));
        Files.deleteIfExists(dir.resolve("cache").resolve(sha256 + EXTENSION));
        return existed;
    }

    @Override
    public Set<String> list() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(EXTENSION))
                    .map(n -> n.substring(0, n.length() - EXTENSION.length())).filter(n -> SHA256.matcher(n).matches())
                    .forEach(out::add);
        }
        return out;
    }

    private Path pathOf(String sha256) {
        return dir.resolve(sha256 + EXTENSION);
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
