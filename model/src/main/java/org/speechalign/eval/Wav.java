package org.speechalign.eval;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** Reads any PCM wav (8/16/24/32-bit, mono or several channels, mixed to mono) and writes 16-bit mono wav. */
public final class Wav {

    /** Mono 16-bit samples and their rate. */
    public record Pcm(short[] samples, int sampleRate) {
        public double seconds() {
            return (double) samples.length / sampleRate;
        }
    }

    private Wav() {}

    public static Pcm read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             AudioInputStream in = AudioSystem.getAudioInputStream(raw)) {
            AudioFormat f = in.getFormat();
            int channels = f.getChannels();
            AudioFormat target = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, f.getSampleRate(), 16,
                    channels, 2 * channels, f.getSampleRate(), false);
            AudioInputStream pcm = f.matches(target) ? in : AudioSystem.getAudioInputStream(target, in);
            byte[] bytes = pcm.readAllBytes();
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int frames = bytes.length / (2 * channels);
            short[] mono = new short[frames];
            for (int i = 0; i < frames; i++) {
                int sum = 0;
                for (int c = 0; c < channels; c++) sum += bb.getShort();
                mono[i] = (short) (sum / channels);
            }
            return new Pcm(mono, Math.round(f.getSampleRate()));
        } catch (UnsupportedAudioFileException | IllegalArgumentException e) {
            throw new IOException("not a readable PCM wav file (" + e.getMessage() + ")", e);
        }
    }

    public static void write(Path file, short[] samples, int sampleRate) throws IOException {
        byte[] bytes = new byte[samples.length * 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(samples);
        AudioFormat f = new AudioFormat(sampleRate, 16, 1, true, false);
        try (AudioInputStream s = new AudioInputStream(new ByteArrayInputStream(bytes), f, samples.length)) {
            AudioSystem.write(s, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }
}
