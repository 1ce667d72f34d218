package org.speechalign.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One embedded broker and one embedded PostgreSQL per JVM, for the tests of every module:
 * started on first use under {@code target/test-runtime/<pid>} (or {@code -Dspeechalign.test.home}),
 * stopped and deleted when the JVM exits.
 */
public final class SharedTestRuntime {

    private static EmbeddedRuntime runtime;

    private SharedTestRuntime() {
    }

    public static synchronized EmbeddedRuntime get() {
        if (runtime == null) {
            Path base = Path.of(System.getProperty("speechalign.test.home", "target/test-runtime"));
            Path home = base.resolve(Long.toString(ProcessHandle.current().pid())).toAbsolutePath();
            try {
                runtime = EmbeddedRuntime.start(home, 0, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedRuntime started = runtime;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                try {
                    EmbeddedPostgres.deleteRecursively(home);
                } catch (IOException | UncheckedIOException ignored) {
                    // best effort: target/ is cleaned by the next build anyway
                }
            }, "shared-test-runtime-stop"));
        }
        return runtime;
    }

    /** Whether {@link #get()} has already started the runtime in this JVM. */
    public static synchronized boolean started() {
        return runtime != null && Files.exists(runtime.home());
    }
}
