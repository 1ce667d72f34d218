package org.speechalign.lm;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.corpus.Utterance;

class CodecLmArchiveTest {

    @TempDir
    Path dir;

    /** AR log-probs, NAR predictions and generated tokens on fixed inputs, as text. */
    static String fingerprint(CodecLm lm, NDManager m) {
        LmConfig c = lm.config();
        List<Utterance> us = Tiny.corpus(2, 21);
        ParameterStore ps = new ParameterStore(m, false);
        float[] lp = lm.ar().sequenceLogProbs(ps, ArBatch.of(m, us.stream().map(u -> Examples.ar(c, u)).toList()), false).toFloatArray();
        int[][][] fine = lm.nar().predict(ps, NarBatch.of(m, c, us.stream().map(u -> Examples.nar(c, u)).toList()));
        List<Generated> g = lm.generator().generate(m, ArModelTest.requests(us), new SamplingConfig(1, 0, 1, 5), true);
        return Arrays.toString(lp) + " " + Arrays.deepToString(fine) + " " + g;
    }

    @Test
    void roundTripGivesIdenticalOutputsAndIsContentAddressed() throws Exception {
        Path archive;
        String before;
        try (CodecLm lm = CodecLm.create(Tiny.config(), 7); NDManager m = lm.manager().newSubManager()) {
            lm.metadata().put("steps", 0);
            archive = lm.save(dir);
            before = fingerprint(lm, m);
            assertEquals(CodecLm.sha256(Files.readAllBytes(archive)) + ".salm", archive.getFileName().toString());
            assertArrayEquals(Files.readAllBytes(archive), lm.archiveBytes(), "saving twice gives the same bytes");
        }
        try (CodecLm loaded = CodecLm.load(archive); NDManager m = loaded.manager().newSubManager()) {
            assertEquals(before, fingerprint(loaded, m));
            assertEquals(0, ((Number) loaded.metadata().get("steps")).intValue());
            assertEquals(archive.getFileName().toString(), loaded.sha256() + ".salm");
            assertEquals(archive, loaded.save(dir.resolve("again")).getParent().getParent().resolve(archive.getFileName()));
        }
        // a fresh JVM computes the same
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                ArchiveProbe.class.getName(), archive.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertSameOutputs(before, out.lines().reduce((a, b) -> b).orElse(""));
    }

    /**
     * Tokens (NAR predictions, sampled generations) must be identical; the summed log-probabilities
     * may differ in the last bit in another process: PyTorch's vectorised reductions handle an
     * unaligned head of the buffer separately, so where the allocator places an array changes the
     * order of additions (MKL_CBWR does not cover these kernels).
     */
    static void assertSameOutputs(String expected, String actual) {
        int e = expected.indexOf(']'), a = actual.indexOf(']');
        assertTrue(e > 0 && a > 0, actual);
        assertEquals(expected.substring(e), actual.substring(a), "identical tokens");
        double[] x = Arrays.stream(expected.substring(1, e).split(", ")).mapToDouble(Double::parseDouble).toArray();
        double[] y = Arrays.stream(actual.substring(1, a).split(", ")).mapToDouble(Double::parseDouble).toArray();
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5 * Math.abs(x[i]), "log-probability " + i);
    }

    @Test
    void tamperedArchiveIsRefused() throws Exception {
        Path archive;
        try (CodecLm lm = CodecLm.create(Tiny.config(), 8)) {
            archive = lm.save(dir);
        }
        byte[] bytes = Files.readAllBytes(archive);
        byte[] flipped = bytes.clone();
        flipped[flipped.length / 2] ^= 1;
        Files.write(archive, flipped);
        var e = assertThrows(ModelArchiveException.class, () -> CodecLm.load(archive));
        assertTrue(e.getMessage().contains("corrupted or was modified"), e.getMessage());

        Path renamed = dir.resolve("renamed.salm");
        Files.write(renamed, flipped);
        e = assertThrows(ModelArchiveException.class, () -> CodecLm.load(renamed));
        assertTrue(e.getMessage().contains("renamed.salm"), e.getMessage());

        // an entry changed and its manifest hash not updated
        Map<String, byte[]> entries = unzip(bytes);
        entries.put("nar.params", Arrays.copyOf(entries.get("nar.params"), entries.get("nar.params").length - 4));
        Path edited = dir.resolve("edited.salm");
        Files.write(edited, zip(entries));
        e = assertThrows(ModelArchiveException.class, () -> CodecLm.load(edited));
        assertTrue(e.getMessage().contains("does not match its sha256"), e.getMessage());
    }

    @Test
    void parametersNotMatchingTheConfigAreRefused() throws Exception {
        Path small, large;
        try (CodecLm a = CodecLm.create(Tiny.config(), 1); CodecLm b = CodecLm.create(Tiny.config().withShape(48, 2, 1, 2, 1), 1)) {
            small = a.save(dir.resolve("a"));
            large = b.save(dir.resolve("b"));
        }
        Map<String, byte[]> entries = unzip(Files.readAllBytes(small));
        Map<String, byte[]> other = unzip(Files.readAllBytes(large));
        entries.put("ar.params", other.get("ar.params"));
        String manifest = new String(entries.get("manifest.json"), StandardCharsets.UTF_8)
                .replace(CodecLm.sha256(unzip(Files.readAllBytes(small)).get("ar.params")), CodecLm.sha256(other.get("ar.params")));
        entries.put("manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        Path mixed = dir.resolve("mixed.salm");
        Files.write(mixed, zip(entries));
        var e = assertThrows(ModelArchiveException.class, () -> CodecLm.load(mixed));
        assertTrue(e.getMessage().contains("config"), e.getMessage());
        assertThrows(ModelArchiveException.class, () -> CodecLm.load(dir.resolve("missing.salm")));
    }

    static Map<String, byte[]> unzip(byte[] bytes) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) out.put(e.getName(), z.readAllBytes());
        }
        return out;
    }

    static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
