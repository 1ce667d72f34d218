package org.speechalign.codec;

import com.sun.jna.Pointer;

/**
 * codec2 in mode 3200 (64 bits per 20 ms frame, 8 kHz) as a tokenizer of 11 codebooks.
 *
 * <p>Frame bit layout of codec2 3200 (codec2.c, {@code codec2_encode_3200}), MSB first, every
 * field Gray-coded: voicing of the first 10 ms (1 bit), voicing of the second (1), pitch Wo (7),
 * energy (5), then 10 LSP differences (5 bits each), each quantised against the previous
 * <em>quantised</em> LSP with the scalar codebooks of {@link LspCodebooks}.
 *
 * <p>Token layout ({@code tokens[codebook][frame]}, 50 frames/s, 550 tokens/s):
 * <ul>
 *   <li>codebook 0, coarse: voicing pair, energy and pitch in one token, see {@link CoarseToken}
 *       (16,384 values) — what the autoregressive model writes;</li>
 *   <li>codebooks 1..10, fine: LSP k as an absolute frequency in 25 Hz units (400 values), not as
 *       the difference chain, so a wrong prediction for one LSP does not shift all later ones.</li>
 * </ul>
 * Tokens map back to exactly the bits libcodec2 produced ({@link #toBits}/{@link #fromBits}).
 *
 * <p>Each call creates its own codec2 state, so one instance is safe to share across threads.
 * Decoding is a function of the bits where {@link #seededPhases()} (see {@link Codec2Phases}).
 */
public final class Codec2Codec implements Codec {
    public static final int SAMPLE_RATE = 8000;
    public static final int SAMPLES_PER_FRAME = 160;
    public static final int BYTES_PER_FRAME = 8;
    public static final int LSP_COUNT = LspCodebooks.COUNT;
    public static final int CODEBOOKS = 1 + LSP_COUNT;

    private static final int[] CODEBOOK_SIZES = codebookSizes0();

    private final Codec2Library lib;
    private final Codec2Phases phases;

    public Codec2Codec() {
        this(Codec2Library.load("codec2", "libcodec2.so.1.0"));
    }

    /** For the missing-library error path: loads libcodec2 under the given names only. */
    public static Codec2Codec loadingLibrary(String... names) {
        return new Codec2Codec(Codec2Library.load(names));
    }

    private Codec2Codec(Codec2Library.Loaded loaded) {
        this.lib = loaded.functions();
        this.phases = Codec2Phases.locate(loaded.library());
    }

    /**
     * True when every decode starts libcodec2's phase generator from the same state, so the same bits
     * always give the same samples (as codec2's own c2dec gives them); false on a libcodec2 build where
     * the generator's state was not found, where unvoiced phases stay random.
     */
    public boolean seededPhases() {
        return phases.seeded();
    }

    @Override
    public String name() {
        return "codec2";
    }

    @Override
    public String mode() {
        return "3200";
    }

    @Override
    public int sampleRate() {
        return SAMPLE_RATE;
    }

    @Override
    public double framesPerSecond() {
        return (double) SAMPLE_RATE / SAMPLES_PER_FRAME;
    }

    @Override
    public int[] codebookSizes() {
        return CODEBOOK_SIZES.clone();
    }

    @Override
    public int[][] encode(short[] pcm) {
        return fromBits(encodeBits(pcm));
    }

    @Override
    public short[] decode(int[][] tokens) {
        return decodeBits(toBits(tokens));
    }

    /** libcodec2's own bit stream: 8 bytes per 20 ms frame, trailing partial frame dropped. */
    public byte[] encodeBits(short[] pcm) {
        int frames = pcm.length / SAMPLES_PER_FRAME;
        byte[] out = new byte[frames * BYTES_PER_FRAME];
        Pointer state = create();
        try {
            short[] speech = new short[SAMPLES_PER_FRAME];
            byte[] bits = new byte[BYTES_PER_FRAME];
            for (int f = 0; f < frames; f++) {
                System.arraycopy(pcm, f * SAMPLES_PER_FRAME, speech, 0, SAMPLES_PER_FRAME);
                lib.codec2_encode(state, bits, speech);
                System.arraycopy(bits, 0, out, f * BYTES_PER_FRAME, BYTES_PER_FRAME);
            }
        } finally {
            lib.codec2_destroy(state);
        }
        return out;
    }

    public short[] decodeBits(byte[] stream) {
        return phases.fromInitialState(() -> decodeFrames(stream));
    }

    private short[] decodeFrames(byte[] stream) {
        int frames = stream.length / BYTES_PER_FRAME;
        short[] out = new short[frames * SAMPLES_PER_FRAME];
        Pointer state = create();
        try {
            short[] speech = new short[SAMPLES_PER_FRAME];
            byte[] bits = new byte[BYTES_PER_FRAME];
            for (int f = 0; f < frames; f++) {
                System.arraycopy(stream, f * BYTES_PER_FRAME, bits, 0, BYTES_PER_FRAME);
                lib.codec2_decode(state, speech, bits);
                System.arraycopy(speech, 0, out, f * SAMPLES_PER_FRAME, SAMPLES_PER_FRAME);
            }
        } finally {
            lib.codec2_destroy(state);
        }
        return out;
    }

    /** Bit stream → tokens: unpack each field, undo the Gray code, turn LSP differences absolute. */
    public static int[][] fromBits(byte[] stream) {
        int frames = stream.length / BYTES_PER_FRAME;
        int[][] tokens = new int[CODEBOOKS][frames];
        for (int f = 0; f < frames; f++) {
            BitReader in = new BitReader(stream, f * BYTES_PER_FRAME);
            int voiced1 = Gray.decode(in.read(1));
            int voiced2 = Gray.decode(in.read(1));
            int wo = Gray.decode(in.read(CoarseToken.WO_BITS));
            int energy = Gray.decode(in.read(CoarseToken.ENERGY_BITS));
            tokens[0][f] = CoarseToken.join(voiced1, voiced2, energy, wo);
            int[] indexes = new int[LSP_COUNT];
            for (int k = 0; k < LSP_COUNT; k++) indexes[k] = Gray.decode(in.read(LspCodebooks.BITS));
            int[] absolute = LspCodebooks.toAbsolute(indexes);
            for (int k = 0; k < LSP_COUNT; k++) tokens[1 + k][f] = absolute[k];
        }
        return tokens;
    }

    /** Tokens → bit stream; exact inverse of {@link #fromBits} for tokens it produced. */
    public static byte[] toBits(int[][] tokens) {
        if (tokens.length != CODEBOOKS) {
            throw new IllegalArgumentException("codec2 3200 tokens need " + CODEBOOKS + " codebooks, got " + tokens.length);
        }
        int frames = tokens[0].length;
        for (int c = 1; c < CODEBOOKS; c++) {
            if (tokens[c].length != frames) {
                throw new IllegalArgumentException("codebook " + c + " has " + tokens[c].length + " frames, codebook 0 has " + frames);
            }
        }
        byte[] stream = new byte[frames * BYTES_PER_FRAME];
        for (int f = 0; f < frames; f++) {
            BitWriter out = new BitWriter(stream, f * BYTES_PER_FRAME);
            CoarseToken coarse = CoarseToken.split(tokens[0][f]);
            out.write(Gray.encode(coarse.voiced1()), 1);
            out.write(Gray.encode(coarse.voiced2()), 1);
            out.write(Gray.encode(coarse.wo()), CoarseToken.WO_BITS);
            out.write(Gray.encode(coarse.energy()), CoarseToken.ENERGY_BITS);
            int[] absolute = new int[LSP_COUNT];
            for (int k = 0; k < LSP_COUNT; k++) absolute[k] = tokens[1 + k][f];
            for (int index : LspCodebooks.toIndexes(absolute)) out.write(Gray.encode(index), LspCodebooks.BITS);
        }
        return stream;
    }

    private Pointer create() {
        Pointer state = lib.codec2_create(Codec2Library.MODE_3200);
        if (state == null) throw new IllegalStateException("codec2_create(3200) failed");
        if (lib.codec2_samples_per_frame(state) != SAMPLES_PER_FRAME || lib.codec2_bits_per_frame(state) != 64) {
            lib.codec2_destroy(state);
            throw new IllegalStateException("libcodec2 mode 3200 does not have the expected 160 samples / 64 bits per frame");
        }
        return state;
    }

    private static int[] codebookSizes0() {
        int[] sizes = new int[CODEBOOKS];
        sizes[0] = CoarseToken.VOCABULARY;
        for (int k = 1; k < CODEBOOKS; k++) sizes[k] = LspCodebooks.ABSOLUTE_LEVELS;
        return sizes;
    }

    /** Reads MSB-first bit fields from one frame, as codec2's unpack() does. */
    private static final class BitReader {
        private final byte[] bytes;
        private int bit;

        BitReader(byte[] bytes, int byteOffset) {
            this.bytes = bytes;
            this.bit = byteOffset * 8;
        }

        int read(int width) {
            int value = 0;
            for (int i = 0; i < width; i++, bit++) {
                value = (value << 1) | ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1);
            }
            return value;
        }
    }

    private static final class BitWriter {
        private final byte[] bytes;
        private int bit;

        BitWriter(byte[] bytes, int byteOffset) {
            this.bytes = bytes;
            this.bit = byteOffset * 8;
        }

        void write(int value, int width) {
            for (int i = width - 1; i >= 0; i--, bit++) {
                if (((value >> i) & 1) != 0) bytes[bit >> 3] |= (byte) (0x80 >>> (bit & 7));
            }
        }
    }
}
