package org.speechalign.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.speechalign.MissingDependencyException;
import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;

/**
 * The flite front end and voices (Debian package {@code flite}), run as processes.
 *
 * <ul>
 *   <li>{@link #phones(String)}: the phones {@code t2p} gives for any text — what synth-service
 *       uses at synthesis time;</li>
 *   <li>{@link #synthesise(String, String, int)}: speech from a voice plus every phone with its
 *       END time from {@code flite -psdur} — the golden speech and its free alignment.</li>
 * </ul>
 *
 * <p>Phone normalisation ({@link #normalise(String)}): {@code t2p} marks vowel stress with a digit
 * ({@code ow1}) and {@code -psdur} does not ({@code ow}); both are lower-cased and stripped of
 * digits, after which the two sequences are equal for the same text (pauses included: both
 * print {@code pau} at the start, at phrase breaks and at the end). {@link #synthesise} checks
 * that equality on every call, so a corpus never carries phones that synthesis time cannot
 * reproduce.
 */
public final class Flite {
    /**
     * The voices the built-in corpus uses: three distinct speakers shipped in Debian's flite (one
     * female, two male). awb is left out to keep the committed corpus a few MB.
     */
    public static final List<String> DEFAULT_VOICES = List.of("slt", "rms", "kal16");

    private static final Pattern TIMED_PHONE = Pattern.compile("([A-Za-z_]+[0-9]*):([0-9]+(?:\\.[0-9]+)?)");
    private static final long TIMEOUT_SECONDS = 60;

    private final String fliteBinary;
    private final String t2pBinary;

    public Flite() {
        this("flite", "t2p");
    }

    /** With other binary names or paths (tests use a missing one for the error path). */
    public Flite(String fliteBinary, String t2pBinary) {
        this.fliteBinary = fliteBinary;
        this.t2pBinary = t2pBinary;
    }

    /** A phone and the time it ends, in seconds from the start of the utterance. */
    public record TimedPhone(String symbol, double endSeconds) {
    }

    /** Speech resampled to the requested rate and the phones flite says it spoke. */
    public record Synthesis(short[] pcm, int sampleRate, List<TimedPhone> phones, int sourceSampleRate) {
        public double seconds() {
            return (double) pcm.length / sampleRate;
        }

        public List<String> symbols() {
            return phones.stream().map(TimedPhone::symbol).toList();
        }
    }

    /** {@code ow1} → {@code ow}: lower case, stress digits removed. */
    public static String normalise(String phone) {
        return phone.toLowerCase(Locale.ROOT).replaceAll("[0-9]", "");
    }

    /** The normalised phones of {@code text} by {@code t2p}. */
    public List<String> phones(String text) {
        String out = run(List.of(t2pBinary, text), t2pBinary);
        List<String> phones = new ArrayList<>();
        for (String token : out.trim().split("\\s+")) {
            if (!token.isEmpty()) phones.add(normalise(token));
        }
        if (phones.isEmpty()) throw new IllegalStateException(t2pBinary + " gave no phones for: " + text);
        return phones;
    }

    /**
     * Synthesises {@code text} with {@code voice}, resampled to {@code sampleRate}, with the
     * phones of {@code flite -psdur} (normalised, END times in seconds).
     *
     * @throws IllegalStateException when the -psdur phones differ from {@link #phones(String)}
     */
    public Synthesis synthesise(String text, String voice, int sampleRate) {
        Path wav = null;
        try {
            wav = Files.createTempFile("flite-", ".wav");
            String out = run(List.of(fliteBinary, "-voice", voice, "-psdur", "-t", text, "-o", wav.toString()), fliteBinary);
            List<TimedPhone> timed = parsePsdur(out);
            if (timed.isEmpty()) throw new IllegalStateException("flite -psdur printed no phones for voice " + voice + ": " + out.trim());
            List<String> expected = phones(text);
            List<String> got = timed.stream().map(TimedPhone::symbol).toList();
            if (!expected.equals(got)) {
                throw new IllegalStateException("flite -psdur phones " + got + " differ from t2p phones " + expected
                        + " for voice " + voice + ": " + text);
            }
            Wav.Audio audio = Wav.read(wav);
            short[] pcm = Resampler.resample(audio.samples(), audio.sampleRate(), sampleRate);
            return new Synthesis(pcm, sampleRate, timed, audio.sampleRate());
        } catch (IOException e) {
            throw new IllegalStateException("flite failed for voice " + voice + ": " + e.getMessage(), e);
        } finally {
            if (wav != null) {
                try {
                    Files.deleteIfExists(wav);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** Parses {@code pau:0.220 hh:0.295 ...}; anything else in the output is an error. */
    static List<TimedPhone> parsePsdur(String out) {
        List<TimedPhone> phones = new ArrayList<>();
        for (String token : out.trim().split("\\s+")) {
            if (token.isEmpty()) continue;
            Matcher m = TIMED_PHONE.matcher(token);
            if (!m.matches()) throw new IllegalStateException("unexpected flite -psdur output: " + out.trim());
            phones.add(new TimedPhone(normalise(m.group(1)), Double.parseDouble(m.group(2))));
        }
        return phones;
    }

    /** The voices this flite has ({@code flite -lv}). */
    public List<String> voices() {
        String out = run(List.of(fliteBinary, "-lv"), fliteBinary).trim();
        int colon = out.indexOf(':');
        String list = colon >= 0 ? out.substring(colon + 1) : out;
        return Arrays.stream(list.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** The version line of {@code flite --version}, e.g. {@code flite-2.2-current Sep 2018}. */
    public String version() {
        String out = run(List.of(fliteBinary, "--version"), fliteBinary, false); // exits 1 after printing it
        Matcher m = Pattern.compile("version:\\s*(\\S+(?:\\s+\\S+\\s+\\d{4})?)").matcher(out);
        return m.find() ? m.group(1) : out.trim().replaceAll("\\s+", " ");
    }

    /** Refuses voices this flite does not have (flite itself silently falls back to its default voice). */
    public void requireVoices(List<String> wanted) {
        List<String> have = voices();
        List<String> missing = wanted.stream().filter(v -> !have.contains(v)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("flite has no voice " + String.join(", ", missing) + " (it has " + String.join(", ", have) + ")");
        }
    }

    private static String run(List<String> command, String binary) {
        return run(command, binary, true);
    }

    private static String run(List<String> command, String binary, boolean checkExit) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new MissingDependencyException(binary, "flite", e);
        }
        try {
            p.getOutputStream().close();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(binary + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            String out = new String(bytes, StandardCharsets.UTF_8);
            if (checkExit && p.exitValue() != 0) throw new IllegalStateException(binary + " exited with " + p.exitValue() + ": " + out.trim());
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(binary + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(binary + " was interrupted", e);
        }
    }
}
