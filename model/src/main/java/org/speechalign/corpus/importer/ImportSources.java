package org.speechalign.corpus.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What to import: a folder of {@code x.wav} + {@code x.txt} (searched recursively), or a manifest:
 * TSV ({@code audio<TAB>transcript[<TAB>speaker]}, optional header line, {@code #} comments) or
 * JSONL ({@code {"audio": ..., "text": ..., "speaker": ...}}). Relative audio paths are resolved
 * against the manifest's folder. Problems with single entries are collected, not thrown.
 */
public final class ImportSources {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The entries found and the per-entry problems (source → message). */
    public record Listing(List<ImportEntry> entries, List<ImportError> errors) {}

    /** A file that could not be imported and why. */
    public record ImportError(String source, String message) {}

    private ImportSources() {}

    public static Listing list(Path input, String defaultSpeaker) throws IOException {
        if (Files.isDirectory(input)) return folder(input, defaultSpeaker);
        if (!Files.isRegularFile(input)) throw new IOException("no such file or folder: " + input);
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) return jsonl(input, defaultSpeaker);
        if (name.endsWith(".tsv") || name.endsWith(".txt") || name.endsWith(".csv")) return tsv(input, defaultSpeaker);
        throw new IOException("unknown manifest type " + input.getFileName() + " (use .tsv or .jsonl, or a folder)");
    }

    private static Listing folder(Path dir, String speaker) throws IOException {
        List<ImportEntry> entries = new ArrayList<>();
        List<ImportError> errors = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String n = f.getFileName().toString();
            String lower = n.toLowerCase(Locale.ROOT);
            String rel = dir.relativize(f).toString();
            if (lower.endsWith(".wav")) {
                Path txt = f.resolveSibling(n.substring(0, n.length() - 4) + ".txt");
                if (!Files.isRegularFile(txt)) {
                    errors.add(new ImportError(rel, "no transcript: expected " + dir.relativize(txt)));
                    continue;
                }
                String id = stripExtension(rel);
                entries.add(new ImportEntry(id, rel, f, Files.readString(txt, StandardCharsets.UTF_8).strip(), speaker));
            } else if (lower.endsWith(".txt")) {
                Path wav = f.resolveSibling(n.substring(0, n.length() - 4) + ".wav");
                if (!Files.isRegularFile(wav)) errors.add(new ImportError(rel, "no audio: expected " + dir.relativize(wav)));
            }
        }
        return new Listing(entries, errors);
    }

    private static Listing tsv(Path manifest, String speaker) throws IOException {
        List<ImportEntry> entries = new ArrayList<>();
        List<ImportError> errors = new ArrayList<>();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = manifest.getFileName() + ":" + (i + 1);
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (i == 0 && f[0].strip().toLowerCase(Locale.ROOT).matches("audio|path|wav|file")) continue;
            if (f.length < 2) {
                errors.add(new ImportError(where, "expected audio<TAB>transcript[<TAB>speaker]"));
                continue;
            }
            entries.add(entry(manifest, where, f[0].strip(), f[1].strip(),
                    f.length > 2 && !f[2].isBlank() ? f[2].strip() : speaker));
        }
        return new Listing(entries, errors);
    }

    private static Listing jsonl(Path manifest, String speaker) throws IOException {
        List<ImportEntry> entries = new ArrayList<>();
        List<ImportError> errors = new ArrayList<>();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = manifest.getFileName() + ":" + (i + 1);
            if (line.isBlank()) continue;
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (IOException e) {
                errors.add(new ImportError(where, "not a JSON object"));
                continue;
            }
            String audio = first(o, "audio", "path", "wav", "audio_filepath");
            String text = first(o, "text", "transcript");
            if (audio == null) {
                errors.add(new ImportError(where, "no \"audio\" field"));
                continue;
            }
            String spk = first(o, "speaker");
            entries.add(entry(manifest, where, audio, text == null ? "" : text, spk == null ? speaker : spk));
        }
        return new Listing(entries, errors);
    }

    private static ImportEntry entry(Path manifest, String where, String audio, String text, String speaker) {
        Path p = Path.of(audio);
        if (!p.isAbsolute()) p = manifest.toAbsolutePath().getParent().resolve(p);
        return new ImportEntry(stripExtension(audio), where + " (" + audio + ")", p, text, speaker);
    }

    private static String first(JsonNode o, String... names) {
        for (String n : names) if (o.hasNonNull(n)) return o.get(n).asText();
        return null;
    }

    private static String stripExtension(String s) {
        int dot = s.lastIndexOf('.');
        return dot > s.lastIndexOf('/') && dot > 0 ? s.substring(0, dot) : s;
    }
}
