package org.speechalign.dpo;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.Flite;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.TestHome;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.Generated;

class IntelligibilityTest {

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

    /** Speaks the text when the first coarse token is the golden one, else silence: which sample is intelligible is known. */
    record KnownCodec(int goodFirstToken, Wav.Audio speech) implements Codec {
        public String name() { return "known"; }
        public String mode() { return "test"; }
        public int sampleRate() { return speech.sampleRate(); }
        public double framesPerSecond() { return 40; }
        public int[] codebookSizes() { return new int[] {8, 8, 8}; }
        public int[][] encode(short[] pcm) { throw new UnsupportedOperationException(); }
        public short[] decode(int[][] tokens) {
            return tokens[0][0] == goodFirstToken ? speech.samples() : new short[speech.samples().length];
        }
    }

    @Test
    void countsWordErrorsOfWhatTheRecogniserHearsInEachSample() {
        Utterance g = Fixtures.train(Fixtures.corpus(6, 3)).get(0);
        Utterance u = new Utterance(g.utteranceId(), TEXT, g.speaker(), g.phones(), g.tokens(), g.codecName(), g.codecMode(), g.split(),
                g.corpusVersion());
        int[] durations = Examples.durations(u);
        int[] good = u.tokens()[0].clone();
        int[] bad = good.clone();
        bad[0] = (good[0] + 1) % 8;
        var scorer = new Intelligibility(new KnownCodec(good[0], Flite.say("slt", TEXT)), asr);
        try (CodecLm m = Fixtures.model(1)) {
            double[] e = scorer.errors(m, u, List.of(new Generated(durations, bad, 0), new Generated(durations, good, 0),
                    new Generated(new int[durations.length], new int[0], 0)));
            assertEquals(3, e.length);
            assertTrue(e[1] <= 3, "flite's speech of the text is mostly heard: " + e[1] + " errors");
            assertEquals(13, e[0], "silence: every one of the 13 words is missing");
            assertEquals(13, e[2], "an empty sample says nothing");
        }
    }
}
