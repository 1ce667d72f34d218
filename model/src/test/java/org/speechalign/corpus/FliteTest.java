package org.speechalign.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.speechalign.MissingDependencyException;

class FliteTest {
    static final Flite FLITE = new Flite();

    @Test
    void t2pPhonesAreNormalised() {
        assertEquals(List.of("pau", "hh", "ax", "l", "ow", "w", "er", "l", "d", "pau"), FLITE.phones("Hello world."));
        assertEquals("ow", Flite.normalise("OW1"));
    }

    @Test
    void psdurPhonesEqualT2pPhonesForEveryVoiceIncludingPhraseBreaks() {
        String text = "When angry, count four; when very angry, swear.";
        List<String> t2p = FLITE.phones(text);
        assertTrue(t2p.subList(1, t2p.size() - 1).contains("pau"), "phrase-break pauses present: " + t2p);
        for (String voice : List.of("slt", "rms", "awb", "kal16")) {
            Flite.Synthesis s = FLITE.synthesise(text, voice, 8000);
            assertEquals(t2p, s.symbols(), voice);
            assertEquals(8000, s.sampleRate());
            assertEquals(16000, s.sourceSampleRate());
            double previous = 0;
            for (Flite.TimedPhone p : s.phones()) {
                assertTrue(p.endSeconds() >= previous, voice + " end times non-decreasing");
                previous = p.endSeconds();
            }
            // audio and the last end time agree to within the final pause
            assertEquals(previous, s.seconds(), 0.2, voice);
        }
    }

    @Test
    void parsesPsdurAndRefusesAnythingElse() {
        List<Flite.TimedPhone> p = Flite.parsePsdur("pau:0.220 hh:0.295 ax:0.342\n");
        assertEquals(List.of(new Flite.TimedPhone("pau", 0.220), new Flite.TimedPhone("hh", 0.295),
                new Flite.TimedPhone("ax", 0.342)), p);
        assertThrows(IllegalStateException.class, () -> Flite.parsePsdur("Error: something broke"));
    }

    @Test
    void knowsItsVoicesAndVersion() {
        assertTrue(FLITE.voices().containsAll(Flite.DEFAULT_VOICES), FLITE.voices().toString());
        assertTrue(FLITE.version().startsWith("flite-"), FLITE.version());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FLITE.requireVoices(List.of("slt", "nobody")));
        assertTrue(e.getMessage().contains("nobody"));
        assertFalse(e.getMessage().contains("slt,"));
    }

    @Test
    void missingFliteIsAOneLineError() {
        Flite missing = new Flite("flite-not-installed-here", "t2p-not-installed-here");
        MissingDependencyException e = assertThrows(MissingDependencyException.class, () -> missing.synthesise("Hello.", "slt", 8000));
        assertEquals("flite-not-installed-here is not installed: install the Debian package flite (apt-get install flite)", e.getMessage());
        assertThrows(MissingDependencyException.class, () -> missing.phones("Hello."));
        assertFalse(e.getMessage().contains("\n"));
    }
}
