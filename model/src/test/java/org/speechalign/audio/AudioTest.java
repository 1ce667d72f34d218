package org.speechalign.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class AudioTest {
    @Test
    void wavRoundTrip() throws IOException {
        short[] pcm = {0, 1, -1, 32767, -32768, 1234};
        Wav.Audio audio = Wav.read(Wav.toBytes(pcm, 8000), "x.wav");
        assertArrayEquals(pcm, audio.samples());
        assertEquals(8000, audio.sampleRate());
    }

    @Test
    void notAWavIsRefusedWithItsName() {
        IOException e = assertThrows(IOException.class, () -> Wav.read("hello".getBytes(), "notes.txt"));
        assertTrue(e.getMessage().startsWith("notes.txt"));
    }

    @Test
    void downsamplingKeepsALowToneAndRemovesOneAboveNyquist() {
        short[] low = tone(500, 16000, 16000);
        short[] high = tone(6000, 16000, 16000); // above the 4 kHz Nyquist of 8 kHz
        short[] lowOut = Resampler.resample(low, 16000, 8000);
        short[] highOut = Resampler.resample(high, 16000, 8000);
        assertEquals(8000, lowOut.length);
        assertTrue(rms(lowOut) > 0.9 * rms(low), "passband kept: " + rms(lowOut) + " vs " + rms(low));
        assertTrue(rms(highOut) < 0.05 * rms(high), "alias suppressed: " + rms(highOut));
    }

    private static short[] tone(double hz, int rate, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) s[i] = (short) (10000 * Math.sin(2 * Math.PI * hz * i / rate));
        return s;
    }

    private static double rms(short[] s) {
        double sum = 0;
        for (int i = 100; i < s.length - 100; i++) sum += (double) s[i] * s[i];
        return Math.sqrt(sum / (s.length - 200));
    }
}
