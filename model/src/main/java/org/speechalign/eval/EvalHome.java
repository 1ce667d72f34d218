package org.speechalign.eval;

import java.nio.file.Path;

/**
 * Where evaluation keeps its caches: {@code $SPEECHALIGN_HOME/cache} (system property
 * {@code speechalign.home} first, then the environment variable, default {@code .speechalign/}
 * under the working directory, as DESIGN.md's contracts say).
 */
public final class EvalHome {
    private EvalHome() {}

    public static Path home() {
        String p = System.getProperty("speechalign.home");
        if (p == null || p.isBlank()) p = System.getenv("SPEECHALIGN_HOME");
        if (p == null || p.isBlank()) p = ".speechalign";
        return Path.of(p).toAbsolutePath().normalize();
    }

    public static Path cacheDir() {
        return home().resolve("cache");
    }
}
