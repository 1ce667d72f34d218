package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Frame-level inputs of the NAR model for a padded batch: each frame's phone, its position in the
 * phone and the phone's duration, the speaker and the frame's coarse token (golden or synthesised);
 * targets are the fine codebooks (absent at inference).
 */
public final class NarBatch {

    final int size, maxFrames, codebooks;
    final NDArray speakers, phone, pos, duration, v, e, w, mask;
    final NDArray fine; // (b, f, codebooks) or null
    final int[] frames;

    private NarBatch(NDManager manager, LmConfig c, List<Item> items) {
        size = items.size();
        codebooks = c.fineCodebooks();
        maxFrames = Math.max(1, items.stream().mapToInt(i -> i.coarse.length).max().orElse(1));
        frames = items.stream().mapToInt(i -> i.coarse.length).toArray();
        boolean targets = items.stream().allMatch(i -> i.fine != null);
        int n = size * maxFrames;
        long[] spk = new long[size], ph = new long[n], ps = new long[n], du = new long[n], vv = new long[n], ee = new long[n], ww = new long[n];
        long[] fi = targets ? new long[n * codebooks] : null;
        float[] m = new float[n];
        CoarseLayout k = c.coarse();
        int cap = c.maxPosInPhone() - 1;
        for (int b = 0; b < size; b++) {
            Item it = items.get(b);
            spk[b] = it.speaker;
            int f = 0;
            for (int p = 0; p < it.phones.length; p++) {
                for (int j = 0; j < it.durations[p]; j++, f++) {
                    int idx = b * maxFrames + f;
                    ph[idx] = it.phones[p];
                    ps[idx] = Math.min(j, cap);
                    du[idx] = Math.min(it.durations[p], cap);
                    int token = it.coarse[f];
                    vv[idx] = k.voicing(token);
                    ee[idx] = k.energy(token);
                    ww[idx] = k.pitch(token);
                    m[idx] = 1f;
                    if (fi != null) {
                        for (int q = 0; q < codebooks; q++) fi[idx * codebooks + q] = it.fine[q][f];
                    }
                }
            }
        }
        speakers = Ops.longs(manager, spk, size);
        phone = Ops.longs(manager, ph, size, maxFrames);
        pos = Ops.longs(manager, ps, size, maxFrames);
        duration = Ops.longs(manager, du, size, maxFrames);
        v = Ops.longs(manager, vv, size, maxFrames);
        e = Ops.longs(manager, ee, size, maxFrames);
        w = Ops.longs(manager, ww, size, maxFrames);
        mask = manager.create(m).reshape(size, maxFrames);
        fine = fi == null ? null : Ops.longs(manager, fi, size, maxFrames, codebooks);
    }

    /**
     * One utterance for the NAR.
     *
     * @param durations frames per phone, summing to {@code coarse.length}
     * @param fine {@code fine[codebook][frame]} targets, or null at inference
     */
    public record Item(int speaker, int[] phones, int[] durations, int[] coarse, int[][] fine) {
        public Item {
            if (phones.length != durations.length) throw new IllegalArgumentException("phones and durations differ in length");
            if (java.util.Arrays.stream(durations).sum() != coarse.length) {
                throw new IllegalArgumentException("durations do not add up to the coarse frame count " + coarse.length);
            }
        }
    }

    public static NarBatch of(NDManager manager, LmConfig c, List<Item> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("empty batch");
        return new NarBatch(manager, c, items);
    }

    public int size() {
        return size;
    }
}
