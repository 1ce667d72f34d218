package org.speechalign.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.MissingDependencyException;
import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;

class Codec2CodecTest {
    static final Codec2Codec CODEC = new Codec2Codec();
    static short[] speech; // flite slt speech at 8 kHz

    @BeforeAll
    static void synthesiseSpeech(@TempDir Path dir) throws Exception {
        Path wav = dir.resolve("slt.wav");
        Process p = new ProcessBuilder("flite", "-voice", "slt", "-t",
                "The quick brown fox jumps over the lazy dog near the river bank.", "-o", wav.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), "flite failed");
        Wav.Audio audio = Wav.read(wav);
        speech = Resampler.resample(audio.samples(), audio.sampleRate(), Codec2Codec.SAMPLE_RATE);
    }

    @Test
    void describesItsLayout() {
        assertEquals(50.0, CODEC.framesPerSecond());
        int[] sizes = CODEC.codebookSizes();
        assertEquals(11, sizes.length);
        assertEquals(16384, sizes[0]);
        for (int k = 1; k < sizes.length; k++) assertEquals(400, sizes[k]);
    }

    @Test
    void tokensRepackToExactlyTheBitsOfRealSpeech() {
        byte[] bits = CODEC.encodeBits(speech);
        int[][] tokens = Codec2Codec.fromBits(bits);
        assertArrayEquals(bits, Codec2Codec.toBits(tokens));
        assertEquals(speech.length / 160, tokens[0].length);
        int[] sizes = CODEC.codebookSizes();
        for (int c = 0; c < tokens.length; c++) {
            for (int t : tokens[c]) assertTrue(t >= 0 && t < sizes[c], "token out of range in codebook " + c);
        }
    }

    @Test
    void bindingMatchesTheCodec2CommandLineTools(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("in.raw");
        Path bit = dir.resolve("out.bit");
        Path dec = dir.resolve("out.raw");
        java.nio.ByteBuffer pcm = java.nio.ByteBuffer.allocate(2 * speech.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (short s : speech) pcm.putShort(s);
        Files.write(raw, pcm.array());
        run("c2enc", "3200", raw.toString(), bit.toString());
        run("c2dec", "3200", bit.toString(), dec.toString());
        byte[] bits = Files.readAllBytes(bit);
        assertArrayEquals(bits, CODEC.encodeBits(speech), "JNA encode equals c2enc");
        java.nio.ByteBuffer expected = java.nio.ByteBuffer.wrap(Files.readAllBytes(dec)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        short[] decoded = CODEC.decodeBits(bits);
        short[] fromC2dec = new short[expected.remaining() / 2];
        expected.asShortBuffer().get(fromC2dec);
        // c2dec starts libcodec2's process-wide phase generator fresh; every JNA decode starts it the same way
        assertTrue(CODEC.seededPhases(), "codec2_rand's state found in this libcodec2");
        assertArrayEquals(fromC2dec, decoded, "JNA decode equals c2dec sample for sample");
    }

    @Test
    void decodingIsAFunctionOfTheBits() {
        byte[] bits = CODEC.encodeBits(speech);
        short[] first = CODEC.decodeBits(bits);
        CODEC.decodeBits(Arrays.copyOf(bits, bits.length / 2)); // unseeded, this would move the library's generator on
        short[] again = CODEC.decodeBits(bits);
        assertArrayEquals(first, again, "same bits, same samples, whatever was decoded in between");
        short[][] parallel = java.util.stream.IntStream.range(0, 8).parallel()
                .mapToObj(i -> CODEC.decodeBits(bits)).toArray(short[][]::new);
        for (short[] p : parallel) assertArrayEquals(first, p, "decodes on several threads at once");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }

    @Test
    void everyPossibleBitPatternRepacksExactly() {
        Random random = new Random(7);
        byte[] bits = new byte[8 * 5000];
        random.nextBytes(bits);
        assertArrayEquals(bits, Codec2Codec.toBits(Codec2Codec.fromBits(bits)));
    }

    @Test
    void lspTokensAreAbsoluteAndIncreasing() {
        int[][] tokens = CODEC.encode(speech);
        for (int f = 0; f < tokens[0].length; f++) {
            for (int k = 2; k <= 10; k++) assertTrue(tokens[k][f] > tokens[k - 1][f], "LSPs must increase");
            assertTrue(tokens[10][f] * LspCodebooks.UNIT_HZ < 6000, "highest LSP is a frequency below 6 kHz");
        }
    }

    @Test
    void roundTripKeepsTheSpeechEnvelope() {
        short[] decoded = CODEC.decode(CODEC.encode(speech));
        int frames = speech.length / 160;
        assertEquals(frames * 160, decoded.length);
        double[] a = frameEnergyDb(speech, frames);
        double[] b = frameEnergyDb(decoded, frames);
        // codec2 delays its output by about two frames; compare the envelopes at the best small lag.
        double best = -1;
        for (int lag = 0; lag <= 4; lag++) best = Math.max(best, correlation(a, b, lag));
        assertTrue(best > 0.85, "energy envelope correlation " + best);
    }

    @Test
    void modelPredictionsOffTheGridStillMakeValidBits() {
        int[][] tokens = new int[11][3];
        for (int k = 1; k <= 10; k++) for (int f = 0; f < 3; f++) tokens[k][f] = 399 - 3 * (10 - k) * f;
        byte[] bits = Codec2Codec.toBits(tokens);
        assertEquals(24, bits.length);
        assertEquals(3 * 160, CODEC.decode(tokens).length);
    }

    @Test
    void mismatchedTokenShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Codec2Codec.toBits(new int[3][5]));
        int[][] ragged = new int[11][4];
        ragged[5] = new int[3];
        assertThrows(IllegalArgumentException.class, () -> Codec2Codec.toBits(ragged));
        assertThrows(IllegalArgumentException.class, () -> CoarseToken.split(16384));
    }

    @Test
    void grayCodeAndCoarseFieldsRoundTrip() {
        for (int i = 0; i < 128; i++) {
            assertEquals(i, Gray.decode(Gray.encode(i)));
            assertEquals(1, Integer.bitCount(Gray.encode(i) ^ Gray.encode(i + 1)), "neighbours differ in one bit");
        }
        for (int token = 0; token < CoarseToken.VOCABULARY; token++) assertEquals(token, CoarseToken.split(token).token());
    }

    @Test
    void missingLibraryGivesOneLineNamingThePackage() {
        MissingDependencyException e = assertThrows(MissingDependencyException.class,
                () -> Codec2Codec.loadingLibrary("codec2-not-installed-here"));
        assertTrue(e.getMessage().contains("libcodec2-1.0"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    private static double[] frameEnergyDb(short[] pcm, int frames) {
        double[] e = new double[frames];
        for (int f = 0; f < frames; f++) {
            double sum = 1;
            for (int i = 0; i < 160; i++) sum += (double) pcm[f * 160 + i] * pcm[f * 160 + i];
            e[f] = 10 * Math.log10(sum / 160);
        }
        return e;
    }

    private static double correlation(double[] a, double[] b, int lag) {
        int n = a.length - lag;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += a[i]; mb += b[i + lag]; }
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[i] - ma, y = b[i + lag] - mb;
            sab += x * y; saa += x * x; sbb += y * y;
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
