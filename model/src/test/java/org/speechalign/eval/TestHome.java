package org.speechalign.eval;

import java.nio.file.Path;

/** Tests unpack the Vosk model into the module's target folder, once per clean build. */
public final class TestHome {
    private TestHome() {}

    public static Path cache() {
        return Path.of("target", "speechalign-test-home", "cache").toAbsolutePath();
    }
}
