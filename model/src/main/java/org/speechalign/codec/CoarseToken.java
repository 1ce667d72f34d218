package org.speechalign.codec;

/**
 * The coarse token of one codec2 3200 frame: the voicing of its two 10 ms halves, its energy
 * index (5 bits, ordered: louder is higher) and its pitch index Wo (7 bits, ordered: higher
 * pitch is higher). One token is {@code ((voiced1 * 2 + voiced2) * 32 + energy) * 128 + wo}, so
 * models can predict the fields separately and treat energy and pitch as ordered values.
 */
public record CoarseToken(int voiced1, int voiced2, int energy, int wo) {
    public static final int WO_BITS = 7;
    public static final int ENERGY_BITS = 5;
    public static final int WO_LEVELS = 1 << WO_BITS;
    public static final int ENERGY_LEVELS = 1 << ENERGY_BITS;
    public static final int VOICING_LEVELS = 4;
    public static final int VOCABULARY = VOICING_LEVELS * ENERGY_LEVELS * WO_LEVELS;

    public CoarseToken {
        check("voiced1", voiced1, 2);
        check("voiced2", voiced2, 2);
        check("energy", energy, ENERGY_LEVELS);
        check("wo", wo, WO_LEVELS);
    }

    /** Voicing pair as one value 0..3 (first half, second half). */
    public int voicing() {
        return voiced1 * 2 + voiced2;
    }

    public int token() {
        return join(voiced1, voiced2, energy, wo);
    }

    public static int join(int voiced1, int voiced2, int energy, int wo) {
        return (((voiced1 * 2 + voiced2) * ENERGY_LEVELS) + energy) * WO_LEVELS + wo;
    }

    public static CoarseToken split(int token) {
        if (token < 0 || token >= VOCABULARY) {
            throw new IllegalArgumentException("coarse token " + token + " is outside 0.." + (VOCABULARY - 1));
        }
        int wo = token % WO_LEVELS;
        int energy = (token / WO_LEVELS) % ENERGY_LEVELS;
        int voicing = token / (WO_LEVELS * ENERGY_LEVELS);
        return new CoarseToken(voicing >> 1, voicing & 1, energy, wo);
    }

    private static void check(String field, int value, int levels) {
        if (value < 0 || value >= levels) {
            throw new IllegalArgumentException(field + " " + value + " is outside 0.." + (levels - 1));
        }
    }
}
