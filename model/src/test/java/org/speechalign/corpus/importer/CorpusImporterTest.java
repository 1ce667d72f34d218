package org.speechalign.corpus.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.Flite;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.TestHome;

class CorpusImporterTest {
    static final String GOOD1 = "The sun rose slowly over the quiet green hills.";
    static final String GOOD2 = "Please bring me seven apples from the market, and a loaf of bread.";
    static SpeechRecognizer asr;
    static final Codec2Codec CODEC = new Codec2Codec();

    @BeforeAll
    static void load() {
        asr = SpeechRecognizer.open(TestHome.cache());
    }

    @AfterAll
    static void close() {
        asr.close();
    }

    @Test
    void importsGoodFilesAndReportsEachBadFileWithoutStopping(@TempDir Path dir) throws Exception {
        Wav.Audio a = Flite.say("slt", GOOD1);
        Wav.write(dir.resolve("good1.wav"), a.samples(), a.sampleRate());
        Files.writeString(dir.resolve("good1.txt"), GOOD1 + "\n");
        Wav.Audio b = Flite.say("rms", GOOD2);
        Wav.write(dir.resolve("good2.wav"), Resampler.resample(b.samples(), b.sampleRate(), 44100), 44100);
        Files.writeString(dir.resolve("good2.txt"), GOOD2);
        Wav.write(dir.resolve("empty.wav"), a.samples(), a.sampleRate());
        Files.writeString(dir.resolve("empty.txt"), "  \n");
        Files.writeString(dir.resolve("broken.wav"), "this is not audio");
        Files.writeString(dir.resolve("broken.txt"), "hello there");
        Wav.write(dir.resolve("silence.wav"), new short[16000], 16000);
        Files.writeString(dir.resolve("silence.txt"), "hello there");
        Files.writeString(dir.resolve("orphan.txt"), "no audio for me");
        Wav.write(dir.resolve("untranscribed.wav"), a.samples(), a.sampleRate());

        ImportSources.Listing listing = ImportSources.list(dir, "user");
        List<String> lines = new ArrayList<>();
        CorpusImporter.Result r = new CorpusImporter(CODEC, asr, new Phonemizer())
                .importAll(listing, Split.TRAIN, "import", null, lines::add);

        assertEquals(List.of("import-good1", "import-good2"), r.utterances().stream().map(Utterance::utteranceId).toList());
        Map<String, String> errors = new TreeMap<>();
        r.errors().forEach(e -> errors.put(e.source(), e.message()));
        assertEquals(5, errors.size(), errors.toString());
        assertEquals("empty transcript", errors.get("empty.wav"));
        assertTrue(errors.get("broken.wav").startsWith("unreadable audio"), errors.get("broken.wav"));
        assertEquals("the ASR found no words in the audio", errors.get("silence.wav"));
        assertTrue(errors.get("orphan.txt").startsWith("no audio"), errors.toString());
        assertTrue(errors.get("untranscribed.wav").startsWith("no transcript"), errors.toString());

        Phonemizer ph = new Phonemizer();
        for (Utterance u : r.utterances()) {
            assertEquals(u.frameCount(), u.phones().stream().mapToInt(Phone::frames).sum());
            assertEquals(ph.phones(u.text()), u.phones().stream().map(Phone::symbol).toList());
            assertEquals("pau", u.phones().get(0).symbol());
            assertEquals(11, u.tokens().length);
            assertTrue(r.corpusVersion().startsWith("import-"));
            assertEquals(r.corpusVersion(), u.corpusVersion());
            long empty = u.phones().stream().filter(p -> !p.symbol().equals("pau") && p.frames() == 0).count();
            assertTrue(empty <= 1, u.phones().toString());
        }
        Path out = dir.resolve("out");
        org.speechalign.corpus.CorpusFile.write(out, r.corpusVersion(), CODEC, r.utterances(), null);
        List<Utterance> back = org.speechalign.corpus.CorpusFile.read(out).utterances();
        assertEquals(2, back.size());
        assertEquals(r.utterances().get(1).phones(), back.get(1).phones());
        assertTrue(java.util.Arrays.deepEquals(r.utterances().get(1).tokens(), back.get(1).tokens()));
    }

    @Test
    void aligningFliteSpeechByAsrComesCloseToFlitesOwnPhoneTimes(@TempDir Path dir) throws Exception {
        Path wav = dir.resolve("x.wav");
        Process p = new ProcessBuilder("flite", "-voice", "slt", "-psdur", "-t", GOOD2, "-o", wav.toString()).start();
        String psdur = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<Double> ends = new ArrayList<>();
        for (String tok : psdur.split("\\s+")) ends.add(Double.parseDouble(tok.substring(tok.indexOf(':') + 1)));
        Path manifest = dir.resolve("m.tsv");
        Files.writeString(manifest, "audio\ttext\tspeaker\nx.wav\t" + GOOD2 + "\tslt\n");
        CorpusImporter.Result r = new CorpusImporter(CODEC, asr, new Phonemizer())
                .importAll(ImportSources.list(manifest, "user"), Split.TRAIN, "m", "v1", s -> { });
        assertEquals(List.of(), r.errors());
        Utterance u = r.utterances().get(0);
        assertEquals("slt", u.speaker());
        assertEquals(ends.size(), u.phones().size(), "flite -psdur and t2p phones differ: " + psdur);
        double sum = 0;
        int frames = 0;
        for (int i = 0; i < ends.size() - 1; i++) {
            frames += u.phones().get(i).frames();
            sum += Math.abs(frames / CODEC.framesPerSecond() - ends.get(i));
        }
        double mean = sum / (ends.size() - 1);
        System.out.printf("ASR-based phone boundaries vs flite's: mean absolute error %.0f ms%n", mean * 1000);
        assertTrue(mean < 0.08, "mean boundary error " + mean);
    }
}
