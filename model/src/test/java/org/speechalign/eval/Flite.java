package org.speechalign.eval;

import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test helper: speech from flite (installed with the platform's Debian packages). */
public final class Flite {
    private Flite() {}

    public static Wav.Audio say(String voice, String text) {
        try {
            Path wav = Files.createTempFile("flite-", ".wav");
            try {
                Process p = new ProcessBuilder("flite", "-voice", voice, "-t", text, "-o", wav.toString())
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("flite failed");
                return Wav.read(wav);
            } finally {
                Files.deleteIfExists(wav);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("flite is needed for this test: " + e.getMessage(), e);
        }
    }
}
