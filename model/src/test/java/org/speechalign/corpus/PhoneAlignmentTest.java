package org.speechalign.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PhoneAlignmentTest {
    static Flite.TimedPhone p(String s, double end) {
        return new Flite.TimedPhone(s, end);
    }

    @Test
    void roundsCumulativeEndTimesNotDurations() {
        // each phone lasts 0.03 s = 1.5 frames: rounding durations would give 2+2+2+2 = 8 frames
        // (or 1+1+1+1 = 4); rounding the ends 1.5, 3, 4.5, 6 gives 2, 3, 5, 6 → 2+1+2+1 = 6
        List<Phone> out = PhoneAlignment.toFrames(List.of(p("a", 0.03), p("b", 0.06), p("c", 0.09), p("d", 0.12)), 6, 50);
        assertEquals(List.of(new Phone("a", 2), new Phone("b", 1), new Phone("c", 2), new Phone("d", 1)), out);
    }

    @Test
    void lastPhoneAbsorbsTrailingFrames() {
        List<Phone> out = PhoneAlignment.toFrames(List.of(p("pau", 0.2), p("hh", 0.3), p("pau", 0.5)), 30, 50);
        assertEquals(List.of(new Phone("pau", 10), new Phone("hh", 5), new Phone("pau", 15)), out);
    }

    @Test
    void clampsWhenTheAudioIsShorterThanThePhones() {
        // psdur says 1.0 s, the codec saw 40 frames (0.8 s): ends are clamped, later phones get 0
        List<Phone> out = PhoneAlignment.toFrames(List.of(p("pau", 0.2), p("t", 0.7), p("iy", 0.9), p("pau", 1.0)), 40, 50);
        assertEquals(List.of(new Phone("pau", 10), new Phone("t", 25), new Phone("iy", 5), new Phone("pau", 0)), out);
    }

    @Test
    void invariantsHoldOnRandomAlignments() {
        Random r = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + r.nextInt(40);
            List<Flite.TimedPhone> phones = new ArrayList<>();
            double t = 0;
            for (int i = 0; i < n; i++) {
                t += r.nextDouble() * 0.15; // zero-length and sub-frame phones included
                phones.add(p("p" + i, Math.round(t * 1000) / 1000.0));
            }
            int frames = Math.max(0, (int) Math.round(t * 50) + r.nextInt(11) - 5);
            List<Phone> out = PhoneAlignment.toFrames(phones, frames, 50);
            assertEquals(n, out.size());
            assertEquals(frames, PhoneAlignment.totalFrames(out), "sum = frames");
            int end = 0;
            for (int i = 0; i < n; i++) {
                assertEquals("p" + i, out.get(i).symbol(), "order preserved");
                assertTrue(out.get(i).frames() >= 0, "non-negative");
                end += out.get(i).frames();
                if (i < n - 1 && end < frames) {
                    // no drift: every phone ends within half a frame of its own rounded end time
                    assertTrue(Math.abs(end - phones.get(i).endSeconds() * 50) <= 0.5 + 1e-9 || end == frames);
                }
            }
        }
    }

    @Test
    void realUtteranceAlignsToItsCodecFrames() {
        Flite.Synthesis s = new Flite().synthesise("Do not sleep in a eucalyptus tree tonight.", "kal16", 8000);
        int frames = s.pcm().length / 160;
        List<Phone> out = PhoneAlignment.toFrames(s.phones(), frames, 50);
        assertEquals(frames, PhoneAlignment.totalFrames(out));
        assertEquals(s.symbols(), out.stream().map(Phone::symbol).toList());
    }
}
