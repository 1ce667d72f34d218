package org.speechalign.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** 16-bit PCM mono WAV files: read (any sample rate, stereo mixed down) and write. */
public final class Wav {
    private Wav() {
    }

    /** PCM samples and their rate. */
    public record Audio(short[] samples, int sampleRate) {
        public double seconds() {
            return (double) samples.length / sampleRate;
        }
    }

    public static Audio read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in.readAllBytes(), file.toString());
        }
    }

    /** Parses a RIFF/WAVE file; anything but 16-bit integer PCM is refused with a message naming the problem. */
    public static Audio read(byte[] bytes, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(name + ": not a RIFF/WAVE file");
        }
        int pos = 12;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int format = 0;
        while (pos + 8 <= bytes.length) {
            int id = b.getInt(pos);
            int size = b.getInt(pos + 4);
            int body = pos + 8;
            if (size < 0 || body + (long) size > bytes.length) size = bytes.length - body; // tolerate streamed headers
            if (id == 0x20746d66) { // "fmt "
                format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2);
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14);
            } else if (id == 0x61746164) { // "data"
                if (rate == 0) throw new IOException(name + ": data chunk before fmt chunk");
                if ((format != 1 && format != 0xfffe) || bits != 16) {
                    throw new IOException(name + ": only 16-bit PCM WAV is supported (format " + format + ", " + bits + " bits)");
                }
                if (channels < 1) throw new IOException(name + ": no channels");
                int frames = size / (2 * channels);
                short[] pcm = new short[frames];
                for (int i = 0; i < frames; i++) {
                    int sum = 0;
                    for (int c = 0; c < channels; c++) sum += b.getShort(body + 2 * (i * channels + c));
                    pcm[i] = (short) (sum / channels);
                }
                return new Audio(pcm, rate);
            }
            pos = body + size + (size & 1);
        }
        throw new IOException(name + ": no data chunk");
    }

    public static byte[] toBytes(short[] pcm, int sampleRate) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + 2 * pcm.length).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(2 * pcm.length);
        for (short s : pcm) b.putShort(s);
        return b.array();
    }

    public static void write(Path file, short[] pcm, int sampleRate) throws IOException {
        Files.write(file, toBytes(pcm, sampleRate));
    }

    public static void write(OutputStream out, short[] pcm, int sampleRate) throws IOException {
        out.write(toBytes(pcm, sampleRate));
    }

}
