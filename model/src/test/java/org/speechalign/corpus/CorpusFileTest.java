package org.speechalign.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.codec.Codec2Codec;

/** A real round trip: a 2-sentence, 2-voice mini corpus built with flite and codec2, written and read back. */
class CorpusFileTest {
    static final Codec2Codec CODEC = new Codec2Codec();
    static final List<Sentence> SENTENCES = List.of(
            new Sentence("t0001", "The world owes you nothing."),
            new Sentence("t0002", "When angry, count four; when very angry, swear."));
    static List<Utterance> built;

    @BeforeAll
    static void build() {
        List<Utterance> seen = Collections.synchronizedList(new ArrayList<>());
        built = new CorpusBuilder(new Flite(), CODEC, "test-v1").build(SENTENCES, List.of("slt", "kal16"), 2, seen::add);
        assertEquals(4, seen.size());
    }

    static ObjectNode provenance() {
        ObjectNode p = new ObjectMapper().createObjectNode();
        p.put("build_command", "test");
        return p;
    }

    @Test
    void buildsEverySentenceInEveryVoiceInOrder() {
        assertEquals(List.of("t0001-slt", "t0001-kal16", "t0002-slt", "t0002-kal16"), built.stream().map(Utterance::utteranceId).toList());
        for (Utterance u : built) {
            assertEquals(11, u.tokens().length);
            assertEquals(u.frameCount(), PhoneAlignment.totalFrames(u.phones()));
            assertEquals(new Flite().phones(u.text()), u.phones().stream().map(Phone::symbol).toList());
            assertEquals(SplitRule.of(u.text()), u.split());
            assertTrue(u.frameCount() > 50, u.utteranceId() + " has " + u.frameCount() + " frames");
        }
    }

    @Test
    void writesReadsAndDecodesTheSameUtterances(@TempDir Path dir) throws Exception {
        ObjectNode m = CorpusFile.write(dir, "test-v1", CODEC, built, provenance());
        assertEquals(4, m.get("utterances").asInt());
        assertEquals(2, m.at("/counts/speaker/slt").asInt());
        CorpusFile.Corpus back = CorpusFile.read(dir);
        assertEquals("test-v1", back.version());
        assertEquals(built.size(), back.utterances().size());
        for (int i = 0; i < built.size(); i++) {
            Utterance a = built.get(i);
            Utterance b = back.utterances().get(i);
            assertEquals(a.utteranceId(), b.utteranceId());
            assertEquals(a.text(), b.text());
            assertEquals(a.speaker(), b.speaker());
            assertEquals(a.phones(), b.phones());
            assertEquals(a.split(), b.split());
            assertEquals("codec2", b.codecName());
            assertEquals("3200", b.codecMode());
            for (int c = 0; c < a.tokens().length; c++) assertArrayEquals(a.tokens()[c], b.tokens()[c]);
            // the tokens read back decode (codec2's unvoiced phases come from C rand(), so the
            // samples of two decodes in one process differ; the bits do not)
            assertArrayEquals(Codec2Codec.toBits(a.tokens()), Codec2Codec.toBits(b.tokens()));
            assertEquals(b.frameCount() * Codec2Codec.SAMPLES_PER_FRAME, CODEC.decode(b.tokens()).length);
        }
    }

    @Test
    void sameInputsGiveTheSameBytes(@TempDir Path dir) throws Exception {
        CorpusFile.write(dir.resolve("a"), "test-v1", CODEC, built, provenance());
        CorpusFile.write(dir.resolve("b"), "test-v1", CODEC, built, provenance());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/golden.jsonl.gz")), Files.readAllBytes(dir.resolve("b/golden.jsonl.gz")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/MANIFEST.json")), Files.readAllBytes(dir.resolve("b/MANIFEST.json")));
        byte[] gz = Files.readAllBytes(dir.resolve("a/golden.jsonl.gz"));
        assertEquals(0, gz[4] | gz[5] | gz[6] | gz[7], "gzip header mtime is zero");
    }

    @Test
    void aChangedDataFileIsRefused(@TempDir Path dir) throws Exception {
        CorpusFile.write(dir, "test-v1", CODEC, built, provenance());
        Path data = dir.resolve(CorpusFile.DATA_FILE);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 1;
        Files.write(data, bytes);
        CorpusFile.CorruptCorpusException e = assertThrows(CorpusFile.CorruptCorpusException.class, () -> CorpusFile.read(dir));
        assertTrue(e.getMessage().contains("does not match MANIFEST.json"), e.getMessage());
        Files.delete(dir.resolve(CorpusFile.MANIFEST_FILE));
        assertThrows(CorpusFile.CorruptCorpusException.class, () -> CorpusFile.read(dir));
    }

    @Test
    void recordsHaveTheGoldenEventFieldsInSchemaOrder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CorpusFile.writeRecord(built.get(0), out);
        List<String> fields = new ArrayList<>();
        JsonNode record = new ObjectMapper().readTree(out.toByteArray());
        record.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("utterance_id", "text", "speaker", "phones", "codec2_frames", "codec", "split", "corpus_version"), fields);
        // the tokens travel as codec2's own bit stream, 8 bytes a frame
        byte[] bits = Base64.getDecoder().decode(record.get("codec2_frames").asText());
        assertEquals(built.get(0).frameCount() * Codec2Codec.BYTES_PER_FRAME, bits.length);
        assertArrayEquals(Codec2Codec.toBits(built.get(0).tokens()), bits);
    }
}
