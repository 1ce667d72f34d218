package org.speechalign.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed sentence lists the built-in corpus is made from ({@code corpus/sentences/} in the
 * repository; provenance and licences in its README.md). One sentence a line; blank lines and
 * lines starting with {@code #} are skipped. Sentence ids are the source's prefix and the
 * sentence's 1-based number in its file, so they never change when another file grows.
 */
public final class SentenceList {
    /** A file of sentences and the id prefix of its sentences. */
    public record Source(String file, String prefix) {
    }

    /** What a file contributed, for the manifest. */
    public record FileInfo(String file, String sha256, int sentences) {
    }

    public static final List<Source> BUILTIN = List.of(new Source("fortunes-min.txt", "fm"), new Source("grammar.txt", "gr"));

    private final List<Sentence> sentences;
    private final List<FileInfo> files;
    private final String sha256;

    private SentenceList(List<Sentence> sentences, List<FileInfo> files, String sha256) {
        this.sentences = List.copyOf(sentences);
        this.files = List.copyOf(files);
        this.sha256 = sha256;
    }

    public static SentenceList load(Path dir) throws IOException {
        return load(dir, BUILTIN);
    }

    /** Loads the sources in order; refuses a sentence that appears twice (after {@link SplitRule#key}). */
    public static SentenceList load(Path dir, List<Source> sources) throws IOException {
        List<Sentence> sentences = new ArrayList<>();
        List<FileInfo> files = new ArrayList<>();
        MessageDigest all = Corpora.sha256();
        Map<String, String> seen = new HashMap<>();
        for (Source source : sources) {
            Path file = dir.resolve(source.file());
            if (!Files.isRegularFile(file)) throw new IOException("sentence list " + file + " does not exist");
            byte[] bytes = Files.readAllBytes(file);
            all.update(bytes);
            int n = 0;
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) continue;
                n++;
                String id = String.format("%s%04d", source.prefix(), n);
                String before = seen.putIfAbsent(SplitRule.key(text), id);
                if (before != null) throw new IOException(file + ": sentence " + id + " repeats " + before + ": " + text);
                sentences.add(new Sentence(id, text));
            }
            files.add(new FileInfo(source.file(), Corpora.hex(Corpora.sha256().digest(bytes)), n));
        }
        return new SentenceList(sentences, files, Corpora.hex(all.digest()));
    }

    public static SentenceList of(List<Sentence> sentences) {
        return new SentenceList(sentences, List.of(), "");
    }

    public List<Sentence> sentences() {
        return sentences;
    }

    public List<FileInfo> files() {
        return files;
    }

    /** sha256 of the files' bytes concatenated in source order. */
    public String sha256() {
        return sha256;
    }
}
