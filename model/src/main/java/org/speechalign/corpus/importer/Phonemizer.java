package org.speechalign.corpus.importer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.speechalign.MissingDependencyException;

/**
 * Phones of text from flite's {@code t2p}, the same front end synthesis uses. Stress digits are
 * dropped ({@code ow1} → {@code ow}), as in {@code flite -psdur}'s phone names; {@code pau} marks
 * pauses. Results per word are cached.
 */
public final class Phonemizer {
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    /** Phones of {@code text}, pauses included (t2p puts one at each end and at punctuation). */
    public List<String> phones(String text) {
        return cache.computeIfAbsent(text, Phonemizer::run);
    }

    /** Phones of one word, without pauses. */
    public List<String> wordPhones(String word) {
        return phones(word).stream().filter(p -> !p.equals("pau")).toList();
    }

    private static List<String> run(String text) {
        try {
            Process p = new ProcessBuilder("t2p", text).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("t2p timed out");
            }
            if (p.exitValue() != 0) throw new IllegalStateException("t2p failed: " + out.strip());
            List<String> phones = new ArrayList<>();
            for (String s : out.trim().split("\\s+")) if (!s.isEmpty()) phones.add(s.replaceAll("[0-9]", ""));
            return phones;
        } catch (IOException e) {
            throw new MissingDependencyException("flite's t2p", "flite", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static boolean isVowel(String phone) {
        return Arrays.asList("aa", "ae", "ah", "ao", "aw", "ax", "axr", "ay", "eh", "er", "ey", "ih", "ix", "iy", "ow",
                "oy", "uh", "uw").contains(phone);
    }
}
