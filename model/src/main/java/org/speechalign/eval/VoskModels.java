package org.speechalign.eval;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds Vosk's small English model (the Maven artifact {@code com.alphacephei:vosk-model-en:0.3.45},
 * type aar, which holds it under {@code assets/model-en-us/}) and unpacks it once into a cache
 * folder, with Kaldi's own feature dither turned off ({@link #NO_DITHER}). Nothing is downloaded:
 * the aar comes from the Maven build's classpath, or from {@code -Dspeechalign.vosk.aar=FILE}, or
 * from the local Maven repository.
 */
public final class VoskModels {

    public static final String VERSION = "0.3.45";
    private static final String PREFIX = "assets/model-en-us/";
    private static final String AAR_NAME = "vosk-model-en-" + VERSION + ".aar";

    /**
     * Kaldi dithers every feature window by default (dither 1), with noise drawn from libc's
     * process-wide rand(), which made a recognition depend on what ran before or beside it; off
     * here, and {@link SpeechRecognizer} adds the same noise from a seeded generator of its own.
     * Appended to the model's {@code conf/mfcc.conf} when unpacking.
     */
    static final String NO_DITHER = "--dither=0\n";
    /** Names the unpacked folder's changes to the model as shipped, so an older unpacking is not reused. */
    private static final String LAYOUT = "nodither";

    private VoskModels() {}

    /** The unpacked model folder under {@code cacheRoot}, unpacking it first if needed. */
    public static Path ensureUnpacked(Path cacheRoot) {
        Path dir = cacheRoot.resolve("vosk-model-en-us-" + VERSION + "-" + LAYOUT);
        if (Files.isRegularFile(dir.resolve(".complete"))) return dir;
        Path aar = locateAar();
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, ".vosk-unpack-");
            try (ZipFile zip = new ZipFile(aar.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                int files = 0;
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    if (!e.getName().startsWith(PREFIX) || e.isDirectory()) continue;
                    Path target = tmp.resolve(e.getName().substring(PREFIX.length())).normalize();
                    if (!target.startsWith(tmp)) throw new IOException("bad entry " + e.getName());
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(e)) {
                        Files.copy(in, target);
                    }
                    files++;
                }
                if (files == 0) throw new IOException(aar + " holds no " + PREFIX);
            }
            Path features = tmp.resolve("conf/mfcc.conf");
            String conf = Files.readString(features);
            Files.writeString(features, conf + (conf.endsWith("\n") ? "" : "\n") + NO_DITHER);
            Files.writeString(tmp.resolve(".complete"), "unpacked from " + aar + "\n");
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException
                     | java.nio.file.DirectoryNotEmptyException raced) {
                deleteTree(tmp); // another process unpacked it first
            }
            if (!Files.isRegularFile(dir.resolve(".complete"))) throw new IOException("could not unpack into " + dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the Vosk model from " + aar + ": " + e.getMessage(), e);
        }
    }

    /** The model aar: explicit property, then the classpath, then the local Maven repository. */
    public static Path locateAar() {
        String explicit = System.getProperty("speechalign.vosk.aar");
        if (explicit != null && Files.isRegularFile(Path.of(explicit))) return Path.of(explicit);
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.endsWith(AAR_NAME) && Files.isRegularFile(Path.of(entry))) return Path.of(entry);
        }
        String repo = System.getProperty("maven.repo.local");
        if (repo == null || repo.isBlank()) repo = System.getProperty("user.home") + "/.m2/repository";
        Path inRepo = Path.of(repo, "com", "alphacephei", "vosk-model-en", VERSION, AAR_NAME);
        if (Files.isRegularFile(inRepo)) return inRepo;
        throw new IllegalStateException("the Vosk model com.alphacephei:vosk-model-en:" + VERSION
                + " (aar) is not on the classpath nor in " + inRepo + "; build with Maven first");
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
