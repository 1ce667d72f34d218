package org.speechalign.eval;

import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.speechalign.codec.Codec2Codec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpeechRecognizerTest {
    static final String TEXT = "The quick brown fox jumped over the lazy dog near the river bank.";
    static SpeechRecognizer asr;

    @BeforeAll
    static void load() {
        asr = SpeechRecognizer.open(TestHome.cache());
    }

    @AfterAll
    static void close() {
        asr.close();
    }

    @Test
    void recognisesFliteSpeechAt16kAnd8k() {
        Wav.Audio pcm = Flite.say("slt", TEXT);
        SpeechRecognizer.Transcript t16 = asr.recognize(pcm.samples(), pcm.sampleRate());
        double wer16 = WordErrorRate.score(TEXT, t16.text()).rate();
        assertTrue(wer16 <= 0.25, "WER " + wer16 + " for '" + t16.text() + "'");

        short[] at8k = Resampler.resample(pcm.samples(), pcm.sampleRate(), 8000);
        SpeechRecognizer.Transcript t8 = asr.recognize(at8k, 8000);
        double wer8 = WordErrorRate.score(TEXT, t8.text()).rate();
        assertTrue(wer8 <= 0.35, "WER " + wer8 + " for '" + t8.text() + "'");

        assertFalse(t8.words().isEmpty());
        double last = 0;
        for (SpeechRecognizer.Word w : t8.words()) {
            assertTrue(w.start() >= last - 1e-6 && w.end() > w.start(), w.toString());
            last = w.end();
        }
        assertTrue(last <= at8k.length / 8000.0 + 0.05);
    }

    @Test
    void theAudioIsDitheredAsKaldiWouldWithTheSameNoiseEveryTime() {
        short[] silence = new short[16000];
        float[] once = SpeechRecognizer.dithered(silence);
        assertArrayEquals(once, SpeechRecognizer.dithered(silence));
        double power = 0;
        for (float x : once) power += x * x;
        double sd = Math.sqrt(power / once.length);
        assertEquals(SpeechRecognizer.DITHER, sd, 0.05, "noise standard deviation");
    }

    @Test
    void theSameAudioIsHeardTheSameEveryTimeAlsoOnSeveralThreads() {
        // codec2 speech with jittered spectra, like a model's: marginal enough that unseeded dither changed its words
        Codec2Codec codec = new Codec2Codec();
        Wav.Audio pcm = Flite.say("slt", "She sells sea shells by the sea shore.");
        int[][] tokens = codec.encode(Resampler.resample(pcm.samples(), pcm.sampleRate(), 8000));
        Random jitter = new Random(5);
        for (int f = 0; f < tokens[0].length; f++) {
            for (int k = 1; k < tokens.length; k++) tokens[k][f] = Math.max(0, Math.min(399, tokens[k][f] + jitter.nextInt(9) - 4));
        }
        short[] speech = codec.decode(tokens);
        String alone = asr.recognize(speech, 8000).text();
        List<String> together = IntStream.range(0, 8).parallel().mapToObj(i -> asr.recognize(speech, 8000).text()).toList();
        assertEquals(java.util.Collections.nCopies(8, alone), together);
    }
}
