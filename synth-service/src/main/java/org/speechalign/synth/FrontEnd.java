package org.speechalign.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.speechalign.MissingDependencyException;

/**
 * Text → phones with flite's front end ({@code t2p}, Debian package flite), normalised the way the
 * golden corpus is (lower case, stress digits removed: {@code ow1} → {@code ow}).
 *
 * <p>The corpus branch brings {@code org.speechalign.corpus.Flite#phones}, the same call; once it is
 * on main this class should delegate to it.
 */
final class FrontEnd {

    private final String t2p;

    FrontEnd(String t2p) {
        this.t2p = t2p;
    }

    List<String> phones(String text) {
        // t2p reads options from its arguments: never let the text start with '-'
        String arg = text.startsWith("-") ? " " + text : text;
        Process p;
        try {
            p = new ProcessBuilder(t2p, arg).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new MissingDependencyException(t2p + " (flite's front end)", "flite", e);
        }
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(t2p + " timed out");
            }
            if (p.exitValue() != 0) throw new IllegalStateException(t2p + " failed with exit code " + p.exitValue());
            List<String> phones = new ArrayList<>();
            for (String token : new String(out, StandardCharsets.UTF_8).trim().split("\\s+")) {
                if (!token.isEmpty()) phones.add(token.toLowerCase(Locale.ROOT).replaceAll("[0-9]", ""));
            }
            return phones;
        } catch (IOException e) {
            throw new IllegalStateException(t2p + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
