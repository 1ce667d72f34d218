package org.speechalign.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed corpus at corpus/builtin-v2 (repository root): checksum, counts, split invariants. */
class BuiltinCorpusTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DIR = ROOT.resolve("corpus/builtin-v2");
    static CorpusFile.Corpus corpus;

    @BeforeAll
    static void read() throws Exception {
        corpus = CorpusFile.read(DIR); // verifies the data file's sha256 against MANIFEST.json
    }

    @Test
    void dataFileMatchesItsManifest() throws Exception {
        assertEquals(corpus.manifest().get("data_sha256").asText(), CorpusFile.sha256(DIR.resolve(CorpusFile.DATA_FILE)));
        assertEquals("builtin-v2", corpus.version());
        assertEquals("codec2", corpus.manifest().at("/codec/name").asText());
        assertEquals("3200", corpus.manifest().at("/codec/mode").asText());
    }

    @Test
    void wasBuiltFromTheCommittedSentenceLists() throws Exception {
        SentenceList list = SentenceList.load(ROOT.resolve("corpus/sentences"));
        assertEquals(list.sha256(), corpus.manifest().at("/provenance/sentences/sha256").asText());
        Map<String, String> textById = new HashMap<>();
        list.sentences().forEach(s -> textById.put(s.id(), s.text()));
        for (Utterance u : corpus.utterances()) {
            String sentenceId = u.utteranceId().substring(0, u.utteranceId().indexOf('-'));
            assertEquals(textById.get(sentenceId), u.text(), u.utteranceId());
            assertEquals(sentenceId + "-" + u.speaker(), u.utteranceId());
        }
    }

    @Test
    void countsAreAsPromisedAndAsTheManifestSays() {
        List<Utterance> all = corpus.utterances();
        assertTrue(all.size() >= 2000, all.size() + " utterances");
        Map<String, Integer> bySpeaker = new TreeMap<>();
        Map<String, Integer> bySplit = new TreeMap<>();
        for (Utterance u : all) {
            bySpeaker.merge(u.speaker(), 1, Integer::sum);
            bySplit.merge(u.split().wireName(), 1, Integer::sum);
            assertEquals("builtin-v2", u.corpusVersion());
            assertEquals(11, u.tokens().length);
        }
        assertTrue(bySpeaker.size() >= 3, "speakers " + bySpeaker);
        assertTrue(bySplit.getOrDefault("test", 0) >= 100, "test utterances " + bySplit);
        assertTrue(bySplit.getOrDefault("dev", 0) > 0, "dev utterances " + bySplit);
        JsonNode counts = corpus.manifest().get("counts");
        bySpeaker.forEach((k, v) -> assertEquals(v, counts.at("/speaker/" + k).asInt(), k));
        bySplit.forEach((k, v) -> assertEquals(v, counts.at("/split/" + k).asInt(), k));
    }

    @Test
    void testSentencesAreNeverInTrainOrDevInAnyVoice() {
        Set<String> test = new HashSet<>();
        Map<String, Split> splitOfText = new HashMap<>();
        Map<String, Set<String>> voicesOfText = new HashMap<>();
        for (Utterance u : corpus.utterances()) {
            String key = SplitRule.key(u.text());
            if (u.split() == Split.TEST) test.add(key);
            Split before = splitOfText.putIfAbsent(key, u.split());
            assertTrue(before == null || before == u.split(), "one sentence, one split: " + u.utteranceId());
            assertEquals(SplitRule.of(u.text()), u.split(), u.utteranceId());
            voicesOfText.computeIfAbsent(key, k -> new HashSet<>()).add(u.speaker());
        }
        for (Utterance u : corpus.utterances()) {
            if (u.split() != Split.TEST) assertTrue(!test.contains(SplitRule.key(u.text())), "test sentence in " + u.split() + ": " + u.utteranceId());
        }
        int speakers = corpus.manifest().get("counts").get("speaker").size();
        voicesOfText.forEach((k, v) -> assertEquals(speakers, v.size(), "every sentence in every voice: " + k));
    }

    @Test
    void phonesAreWhatT2pGivesAtSynthesisTimeAndCoverTheFrames() {
        Flite flite = new Flite();
        List<Utterance> all = corpus.utterances();
        for (int i = 0; i < all.size(); i += all.size() / 25) {
            Utterance u = all.get(i);
            assertEquals(flite.phones(u.text()), u.phones().stream().map(Phone::symbol).toList(), u.utteranceId());
        }
        for (Utterance u : all) {
            assertEquals(u.frameCount(), PhoneAlignment.totalFrames(u.phones()), u.utteranceId());
            assertEquals("pau", u.phones().get(0).symbol());
            assertEquals("pau", u.phones().get(u.phones().size() - 1).symbol());
        }
    }
}
