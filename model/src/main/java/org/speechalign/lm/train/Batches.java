package org.speechalign.lm.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Which items a training step uses: every epoch a fresh seeded permutation, cut into pools of
 * {@link #POOL_BATCHES} batches; each pool is sorted by length and cut into batches, and the
 * epoch's batches are shuffled. Batches of similar lengths waste little compute on padding
 * (random batches of the built-in corpus are a third padding at 16 utterances), while the pools
 * keep each epoch's order random. A pure function of (seed, step, lengths): a resumed run draws the
 * same batches. Items left over when the count is not a multiple of the batch size wait for a
 * later epoch's permutation.
 */
public final class Batches {

    /** Batches per pool sorted by length (larger: less padding, less randomness in batch make-up). */
    static final int POOL_BATCHES = 32;

    private Batches() {}

    /** Indices of the items of step {@code step}; {@code lengths[i]} is item i's padded size. */
    public static int[] of(long seed, int step, int[] lengths, int batchSize) {
        int n = lengths.length;
        if (batchSize < 1 || batchSize > n) throw new IllegalArgumentException("batch size " + batchSize + " for " + n + " items");
        int perEpoch = n / batchSize;
        int epoch = step / perEpoch;
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) order.add(i);
        Collections.shuffle(order, new Random(seed * 31 + epoch));
        int pool = batchSize * POOL_BATCHES;
        for (int from = 0; from < n; from += pool) {
            order.subList(from, Math.min(n, from + pool)).sort(Comparator.comparingInt(i -> lengths[i]));
        }
        List<Integer> batchOrder = new ArrayList<>(perEpoch);
        for (int i = 0; i < perEpoch; i++) batchOrder.add(i);
        Collections.shuffle(batchOrder, new Random((seed * 31 + epoch) * 17 + 1));
        int offset = batchOrder.get(step % perEpoch) * batchSize;
        int[] idx = new int[batchSize];
        for (int i = 0; i < batchSize; i++) idx[i] = order.get(offset + i);
        return idx;
    }
}
