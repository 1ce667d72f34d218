package org.speechalign.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.speechalign.codec.Codec;
import org.speechalign.codec.Codec2Codec;

/**
 * The golden corpus on disk: a folder with
 * <ul>
 *   <li>{@value #DATA_FILE}: gzip JSON Lines, one utterance a line, with the fields of a
 *       {@code speech.golden.v1} event in its order — {@code utterance_id, text, speaker, phones
 *       [{symbol, frames}], codec2_frames, codec {name, mode}, split, corpus_version} — except that
 *       the tokens are stored as {@code codec2_frames}: the base64 of codec2 3200's own bit stream
 *       (8 bytes a 20 ms frame, what {@code c2enc} writes and {@code c2dec} plays), a third of the
 *       size of the tokens as JSON numbers; {@link Codec2Codec#fromBits} gives the tokens back
 *       exactly;</li>
 *   <li>{@value #MANIFEST_FILE}: format version, corpus version, counts (by split, speaker,
 *       split × speaker, sentences by split), codec (name, mode, sample rate, frames/s, codebook
 *       sizes), the sha256 of the data file and of its uncompressed content, and the caller's
 *       provenance (build command, flite version, sentence lists and their sha256, ...).</li>
 * </ul>
 * Output is deterministic: records are written in the order given, JSON fields in a fixed
 * order, and the gzip header has no file name and a zero mtime (what {@link GZIPOutputStream}
 * writes), so the same utterances give the same bytes and checksum with the same JDK. (The
 * content sha256 does not depend on the deflate implementation.) {@link #read} recomputes the
 * sha256 and refuses a file that does not match its manifest.
 */
public final class CorpusFile {
    public static final String FORMAT = "speechalign-golden-corpus";
    public static final int FORMAT_VERSION = 2;
    /** The only codec whose bit stream a corpus file can hold. */
    private static final String CODEC_NAME = "codec2";
    private static final String CODEC_MODE = "3200";
    public static final String DATA_FILE = "golden.jsonl.gz";
    public static final String MANIFEST_FILE = "MANIFEST.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    private CorpusFile() {
    }

    /** A corpus whose data file matched its manifest. */
    public record Corpus(JsonNode manifest, List<Utterance> utterances) {
        public String version() {
            return manifest.path("corpus_version").asText();
        }

        public List<Utterance> split(Split split) {
            return utterances.stream().filter(u -> u.split() == split).toList();
        }
    }

    /** The data file does not match its manifest, or the manifest is missing or malformed. */
    public static final class CorruptCorpusException extends IOException {
        public CorruptCorpusException(String message) {
            super(message);
        }
    }

    /**
     * Writes {@code dir}/{@value #DATA_FILE} and {@code dir}/{@value #MANIFEST_FILE} (replacing
     * them) and returns the manifest. All utterances must share the corpus version and codec.
     */
    public static ObjectNode write(Path dir, String corpusVersion, Codec codec, List<Utterance> utterances,
                                   ObjectNode provenance) throws IOException {
        Files.createDirectories(dir);
        Set<String> ids = new HashSet<>();
        for (Utterance u : utterances) {
            if (!ids.add(u.utteranceId())) throw new IllegalArgumentException("duplicate utterance id " + u.utteranceId());
            if (!u.corpusVersion().equals(corpusVersion)) {
                throw new IllegalArgumentException(u.utteranceId() + " has corpus version " + u.corpusVersion() + ", not " + corpusVersion);
            }
            if (!u.codecName().equals(CODEC_NAME) || !u.codecMode().equals(CODEC_MODE)) {
                throw new IllegalArgumentException(u.utteranceId() + ": a corpus file holds codec2 3200 bit streams, not "
                        + u.codecName() + " " + u.codecMode());
            }
            if (!u.codecName().equals(codec.name()) || !u.codecMode().equals(codec.mode())) {
                throw new IllegalArgumentException(u.utteranceId() + " was encoded with " + u.codecName() + " " + u.codecMode());
            }
            check(u);
        }
        Path tmp = dir.resolve(DATA_FILE + ".tmp");
        MessageDigest fileDigest = Corpora.sha256();
        MessageDigest contentDigest = Corpora.sha256();
        try (OutputStream file = Files.newOutputStream(tmp);
             DigestOutputStream fileOut = new DigestOutputStream(file, fileDigest);
             GZIPOutputStream gzip = new GZIPOutputStream(fileOut, 1 << 16);
             DigestOutputStream out = new DigestOutputStream(gzip, contentDigest)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(1 << 16);
            for (Utterance u : utterances) {
                line.reset();
                writeRecord(u, line);
                line.write('\n');
                line.writeTo(out);
            }
        }
        Files.move(tmp, dir.resolve(DATA_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("corpus_version", corpusVersion);
        m.put("data_file", DATA_FILE);
        m.put("data_sha256", Corpora.hex(fileDigest.digest()));
        m.put("content_sha256", Corpora.hex(contentDigest.digest()));
        m.put("data_bytes", Files.size(dir.resolve(DATA_FILE)));
        m.put("utterances", utterances.size());
        long frames = utterances.stream().mapToLong(Utterance::frameCount).sum();
        m.put("frames", frames);
        m.put("hours", Math.round(frames / codec.framesPerSecond() / 3600.0 * 1000) / 1000.0);
        ObjectNode counts = m.putObject("counts");
        Map<String, Integer> bySplit = new TreeMap<>();
        Map<String, Integer> bySpeaker = new TreeMap<>();
        Map<String, Map<String, Integer>> bySplitSpeaker = new TreeMap<>();
        Map<String, Set<String>> textsBySplit = new TreeMap<>();
        for (Utterance u : utterances) {
            String s = u.split().wireName();
            bySplit.merge(s, 1, Integer::sum);
            bySpeaker.merge(u.speaker(), 1, Integer::sum);
            bySplitSpeaker.computeIfAbsent(s, k -> new TreeMap<>()).merge(u.speaker(), 1, Integer::sum);
            textsBySplit.computeIfAbsent(s, k -> new HashSet<>()).add(u.text());
        }
        counts.set("split", JSON.valueToTree(bySplit));
        counts.set("speaker", JSON.valueToTree(bySpeaker));
        counts.set("split_speaker", JSON.valueToTree(bySplitSpeaker));
        Map<String, Integer> sentences = new TreeMap<>();
        textsBySplit.forEach((k, v) -> sentences.put(k, v.size()));
        counts.set("sentences", JSON.valueToTree(sentences));
        ObjectNode c = m.putObject("codec");
        c.put("name", codec.name());
        c.put("mode", codec.mode());
        c.put("sample_rate", codec.sampleRate());
        c.put("frames_per_second", codec.framesPerSecond());
        ArrayNode sizes = c.putArray("codebook_sizes");
        for (int s : codec.codebookSizes()) sizes.add(s);
        m.set("provenance", provenance == null ? JSON.createObjectNode() : provenance);
        Files.writeString(dir.resolve(MANIFEST_FILE), JSON.writeValueAsString(m) + "\n");
        return m;
    }

    /** Reads a corpus folder after checking the data file's sha256 against the manifest. */
    public static Corpus read(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) throw new CorruptCorpusException(manifestFile + " does not exist: not a corpus folder");
        JsonNode m;
        try {
            m = JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new CorruptCorpusException(manifestFile + " is not valid JSON: " + e.getMessage());
        }
        if (!FORMAT.equals(m.path("format").asText()) || m.path("format_version").asInt() != FORMAT_VERSION) {
            throw new CorruptCorpusException(manifestFile + " is not a " + FORMAT + " v" + FORMAT_VERSION + " manifest");
        }
        Path data = dir.resolve(m.path("data_file").asText(DATA_FILE));
        if (!Files.isRegularFile(data)) throw new CorruptCorpusException(data + " does not exist");
        String expected = m.path("data_sha256").asText();
        String actual = sha256(data);
        if (!actual.equals(expected)) {
            throw new CorruptCorpusException(data + ": sha256 " + actual + " does not match " + MANIFEST_FILE
                    + " (" + expected + "): the file is damaged or was changed; rebuild it with the manifest's build command");
        }
        List<Utterance> utterances = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(data), 1 << 16);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                try {
                    Utterance u = parseRecord(JSON.readTree(line));
                    check(u);
                    utterances.add(u);
                } catch (RuntimeException | IOException e) {
                    throw new CorruptCorpusException(data + " line " + n + ": " + e.getMessage());
                }
            }
        }
        if (utterances.size() != m.path("utterances").asInt()) {
            throw new CorruptCorpusException(data + " has " + utterances.size() + " utterances, " + MANIFEST_FILE + " says " + m.path("utterances").asInt());
        }
        return new Corpus(m, utterances);
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest d = Corpora.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) d.update(buf, 0, r);
        }
        return Corpora.hex(d.digest());
    }

    /** One record, fields in the order of the speech.golden.v1 schema, tokens as {@code codec2_frames}. */
    public static void writeRecord(Utterance u, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("utterance_id", u.utteranceId());
            g.writeStringField("text", u.text());
            g.writeStringField("speaker", u.speaker());
            g.writeArrayFieldStart("phones");
            for (Phone p : u.phones()) {
                g.writeStartObject();
                g.writeStringField("symbol", p.symbol());
                g.writeNumberField("frames", p.frames());
                g.writeEndObject();
            }
            g.writeEndArray();
            byte[] bits = Codec2Codec.toBits(u.tokens());
            if (!Arrays.deepEquals(Codec2Codec.fromBits(bits), u.tokens())) {
                throw new IllegalArgumentException(u.utteranceId() + ": tokens are not codec2 3200 frames (they do not survive bit packing)");
            }
            g.writeStringField("codec2_frames", BASE64.encodeToString(bits));
            g.writeObjectFieldStart("codec");
            g.writeStringField("name", u.codecName());
            g.writeStringField("mode", u.codecMode());
            g.writeEndObject();
            g.writeStringField("split", u.split().wireName());
            g.writeStringField("corpus_version", u.corpusVersion());
            g.writeEndObject();
        }
    }

    public static Utterance parseRecord(JsonNode n) {
        List<Phone> phones = new ArrayList<>();
        for (JsonNode p : required(n, "phones")) phones.add(new Phone(required(p, "symbol").asText(), required(p, "frames").asInt()));
        JsonNode codec = required(n, "codec");
        if (!CODEC_NAME.equals(required(codec, "name").asText()) || !CODEC_MODE.equals(required(codec, "mode").asText())) {
            throw new IllegalArgumentException("codec " + codec + ": a corpus file holds codec2 3200 bit streams only");
        }
        byte[] bits = BASE64_DECODER.decode(required(n, "codec2_frames").asText());
        if (bits.length % Codec2Codec.BYTES_PER_FRAME != 0) {
            throw new IllegalArgumentException("codec2_frames has " + bits.length + " bytes, not a whole number of 8-byte frames");
        }
        int[][] tokens = Codec2Codec.fromBits(bits);
        return new Utterance(required(n, "utterance_id").asText(), required(n, "text").asText(), required(n, "speaker").asText(),
                phones, tokens, required(codec, "name").asText(), required(codec, "mode").asText(),
                Split.fromWire(required(n, "split").asText()), required(n, "corpus_version").asText());
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing field " + field);
        return v;
    }

    /** Every codebook has the same number of frames, and the phones add up to it. */
    static void check(Utterance u) {
        int frames = u.frameCount();
        for (int[] codebook : u.tokens()) {
            if (codebook.length != frames) throw new IllegalArgumentException(u.utteranceId() + ": codebooks of different lengths");
        }
        if (PhoneAlignment.totalFrames(u.phones()) != frames) {
            throw new IllegalArgumentException(u.utteranceId() + ": phones last " + PhoneAlignment.totalFrames(u.phones())
                    + " frames, tokens have " + frames);
        }
    }
}
