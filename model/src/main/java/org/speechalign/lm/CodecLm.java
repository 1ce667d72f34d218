package org.speechalign.lm;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The codec language model: AR and NAR with their config, and its archive format.
 *
 * <p>The archive is one zip file holding {@code config.json}, {@code ar.params}, {@code nar.params}
 * (DJL parameter streams) and {@code manifest.json} (format, version, sha256 and size of every
 * other entry, parameter counts, training metadata). Entries carry a fixed timestamp and no creation
 * time is recorded, so equal parameters give an equal file; the file is named
 * {@code <sha256 of the file>.salm}, the model artifact's content address. Loading checks the file's
 * digest against its name (or an expected digest), every entry against the manifest, the format
 * version, and every parameter's shape against the config; any mismatch is refused with a
 * {@link ModelArchiveException}.
 */
public final class CodecLm implements AutoCloseable {

    public static final String FORMAT = "speechalign-codec-lm";
    public static final int FORMAT_VERSION = 1;
    public static final String EXTENSION = ".salm";
    private static final Pattern CONTENT_NAME = Pattern.compile("([0-9a-f]{64})\\.salm");
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2024, 1, 1, 0, 0);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final LmConfig config;
    private final NDManager manager;
    private final ArModel ar;
    private final NarModel nar;
    private final Map<String, Object> metadata = new TreeMap<>();
    private String sha256;

    private CodecLm(LmConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
        ar = new ArModel(config);
        nar = new NarModel(config);
        ar.initialize(manager, DataType.FLOAT32, new Shape(1));
        nar.initialize(manager, DataType.FLOAT32, new Shape(1));
    }

    /** A freshly initialised model; the seed fixes the initial parameters. */
    public static CodecLm create(LmConfig config, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        return new CodecLm(config, NDManager.newBaseManager());
    }

    public LmConfig config() {
        return config;
    }

    public ArModel ar() {
        return ar;
    }

    public NarModel nar() {
        return nar;
    }

    public NDManager manager() {
        return manager;
    }

    public ArGenerator generator() {
        return new ArGenerator(ar);
    }

    /** Free-form training metadata written into the manifest (steps, seed, corpus version, losses). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The sha256 of the archive this model was loaded from or last saved to, or null. */
    public String sha256() {
        return sha256;
    }

    public long parameterCount(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) n += p.getValue().getArray().size();
        return n;
    }

    /** Writes the archive into {@code directory} as {@code <sha256>.salm} and returns its path. */
    public Path save(Path directory) throws IOException {
        byte[] bytes = archiveBytes();
        String digest = sha256(bytes);
        Files.createDirectories(directory);
        Path target = directory.resolve(digest + EXTENSION);
        Path tmp = Files.createTempFile(directory, ".partial-", EXTENSION);
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        sha256 = digest;
        return target;
    }

    /** The archive's bytes (deterministic for equal parameters, config and metadata). */
    public byte[] archiveBytes() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("config.json", JSON.writeValueAsBytes(config));
        entries.put("ar.params", parameters(ar));
        entries.put("nar.params", parameters(nar));
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("format_version", FORMAT_VERSION);
        manifest.put("djl_version", Engine.getDjlVersion());
        ObjectNode list = manifest.putObject("entries");
        for (var e : entries.entrySet()) {
            list.putObject(e.getKey()).put("sha256", sha256(e.getValue())).put("bytes", e.getValue().length);
        }
        manifest.putObject("parameters").put("ar", parameterCount(ar)).put("nar", parameterCount(nar));
        manifest.set("metadata", JSON.valueToTree(metadata));
        entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setTimeLocal(ENTRY_TIME);
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** Loads an archive; if its file name is a sha256 ({@code <hex>.salm}) the content must match it. */
    public static CodecLm load(Path archive) {
        var m = CONTENT_NAME.matcher(archive.getFileName().toString());
        return load(archive, m.matches() ? m.group(1) : null);
    }

    /** Loads an archive whose sha256 must equal {@code expectedSha256} (if not null). */
    public static CodecLm load(Path archive, String expectedSha256) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(archive);
        } catch (IOException e) {
            throw new ModelArchiveException("cannot read model archive " + archive + ": " + e.getMessage(), e);
        }
        String digest = sha256(bytes);
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(digest)) {
            throw new ModelArchiveException("model archive " + archive + " is corrupted or was modified: its sha256 is "
                    + digest + " but " + expectedSha256 + " was expected");
        }
        CodecLm lm = fromBytes(bytes, archive.toString());
        lm.sha256 = digest;
        return lm;
    }

    static CodecLm fromBytes(byte[] bytes, String name) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (entries.put(e.getName(), zip.readAllBytes()) != null) {
                    throw new ModelArchiveException("model archive " + name + " has the entry " + e.getName() + " twice");
                }
            }
        } catch (IOException e) {
            throw new ModelArchiveException("model archive " + name + " is not a readable zip: " + e.getMessage(), e);
        }
        byte[] manifestBytes = entries.remove("manifest.json");
        if (manifestBytes == null) throw new ModelArchiveException("model archive " + name + " has no manifest.json");
        ObjectNode manifest;
        try {
            manifest = (ObjectNode) JSON.readTree(manifestBytes);
        } catch (IOException | ClassCastException e) {
            throw new ModelArchiveException("model archive " + name + " has an unreadable manifest.json", e);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            throw new ModelArchiveException("model archive " + name + " is not a " + FORMAT + " archive");
        }
        if (manifest.path("format_version").asInt() != FORMAT_VERSION) {
            throw new ModelArchiveException("model archive " + name + " has format version " + manifest.path("format_version")
                    + "; this build reads version " + FORMAT_VERSION);
        }
        var listed = manifest.path("entries");
        List<String> names = new ArrayList<>();
        listed.fieldNames().forEachRemaining(names::add);
        if (!new java.util.TreeSet<>(names).equals(new java.util.TreeSet<>(entries.keySet()))) {
            throw new ModelArchiveException("model archive " + name + " holds entries " + entries.keySet()
                    + " but its manifest lists " + names);
        }
        for (String n : names) {
            String want = listed.path(n).path("sha256").asText();
            if (!want.equals(sha256(entries.get(n)))) {
                throw new ModelArchiveException("model archive " + name + ": entry " + n + " does not match its sha256 in the manifest (corrupted or tampered)");
            }
        }
        for (String required : List.of("config.json", "ar.params", "nar.params")) {
            if (!entries.containsKey(required)) throw new ModelArchiveException("model archive " + name + " has no " + required);
        }
        LmConfig config;
        try {
            config = JSON.readValue(entries.get("config.json"), LmConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelArchiveException("model archive " + name + " has an invalid config.json: " + e.getMessage(), e);
        }
        CodecLm lm = new CodecLm(config, NDManager.newBaseManager());
        try {
            loadParameters(lm.ar, lm.manager, entries.get("ar.params"), name + " ar.params");
            loadParameters(lm.nar, lm.manager, entries.get("nar.params"), name + " nar.params");
            lm.metadata.putAll(JSON.convertValue(manifest.path("metadata"), Map.class));
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
        return lm;
    }

    private static byte[] parameters(Block block) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            block.saveParameters(data);
        }
        return out.toByteArray();
    }

    private static void loadParameters(Block block, NDManager manager, byte[] bytes, String name) {
        Map<String, Shape> expected = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) expected.put(p.getKey(), p.getValue().getArray().getShape());
        try (InputStream in = new ByteArrayInputStream(bytes); DataInputStream data = new DataInputStream(in)) {
            block.loadParameters(manager, data);
            if (data.read() != -1) throw new ModelArchiveException(name + " has trailing bytes: it does not match the config");
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (e instanceof ModelArchiveException m) throw m;
            throw new ModelArchiveException(name + " does not match the archive's config: " + e.getMessage(), e);
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) p.getValue().getArray().setRequiresGradient(true);
            Shape got = p.getValue().getArray().getShape();
            if (!got.equals(expected.get(p.getKey()))) {
                throw new ModelArchiveException(name + ": parameter " + p.getKey() + " has shape " + got + " but the config needs "
                        + expected.get(p.getKey()));
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
