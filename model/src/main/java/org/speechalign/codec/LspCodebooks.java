package org.speechalign.codec;

/**
 * codec2 3200's scalar LSP-difference codebooks (codebook/dlsp1..10 of codec2 1.0: 32 entries
 * each, in Hz), and the mapping between the difference indexes in the bit stream and absolute
 * LSP frequencies in 25 Hz units. Every entry is a multiple of 25 Hz, so absolute values stay
 * on a 25 Hz grid and the mapping is exact both ways.
 */
public final class LspCodebooks {
    public static final int COUNT = 10;
    public static final int BITS = 5;
    public static final int ENTRIES = 1 << BITS;
    public static final int UNIT_HZ = 25;
    /** Absolute LSP tokens 0..399 (0..9,975 Hz) cover every sum the codebooks can reach (≤ 392). */
    public static final int ABSOLUTE_LEVELS = 400;

    /** Difference codebooks in 25 Hz units: 1..32 (25..800 Hz), or for LSPs 4-6 25..200 Hz then 50 Hz steps to 1,400. */
    private static final int[][] UNITS = new int[COUNT][ENTRIES];

    static {
        int[] fine = new int[ENTRIES];
        int[] wide = new int[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            fine[i] = i + 1;
            wide[i] = i < 8 ? i + 1 : 8 + 2 * (i - 7);
        }
        for (int k = 0; k < COUNT; k++) UNITS[k] = (k >= 3 && k <= 5) ? wide : fine;
    }

    private LspCodebooks() {
    }

    /** Quantised difference in Hz of codebook {@code lsp} at {@code index}. */
    public static int differenceHz(int lsp, int index) {
        return UNITS[lsp][index] * UNIT_HZ;
    }

    /** Difference indexes (as unpacked from the bits) → absolute LSPs in 25 Hz units. */
    public static int[] toAbsolute(int[] indexes) {
        int[] absolute = new int[COUNT];
        int sum = 0;
        for (int k = 0; k < COUNT; k++) {
            sum += UNITS[k][indexes[k]];
            absolute[k] = sum;
        }
        return absolute;
    }

    /**
     * Absolute LSPs in 25 Hz units → difference indexes. Exact for values {@link #toAbsolute}
     * produced; for any other values (a model's prediction) each difference is quantised to the
     * nearest codebook entry against the previous quantised LSP, as codec2's encoder does.
     */
    public static int[] toIndexes(int[] absolute) {
        int[] indexes = new int[COUNT];
        int previous = 0;
        for (int k = 0; k < COUNT; k++) {
            int wanted = absolute[k] - previous;
            int best = 0;
            for (int i = 1; i < ENTRIES; i++) {
                if (Math.abs(UNITS[k][i] - wanted) < Math.abs(UNITS[k][best] - wanted)) best = i;
            }
            indexes[k] = best;
            previous += UNITS[k][best];
        }
        return indexes;
    }
}
