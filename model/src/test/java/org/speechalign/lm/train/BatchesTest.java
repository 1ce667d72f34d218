package org.speechalign.lm.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchesTest {

    private static int[] lengths(int n) {
        Random r = new Random(3);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = 50 + r.nextInt(400);
        return l;
    }

    @Test
    void anEpochUsesEveryItemAtMostOnceAndTheNextEpochReshuffles() {
        int[] lengths = lengths(1000);
        int b = 16, perEpoch = 1000 / b;
        Set<Integer> epoch0 = new HashSet<>(), epoch1 = new HashSet<>();
        for (int s = 0; s < perEpoch; s++) {
            for (int i : Batches.of(7, s, lengths, b)) assertTrue(epoch0.add(i), "item " + i + " twice in epoch 0");
            for (int i : Batches.of(7, perEpoch + s, lengths, b)) assertTrue(epoch1.add(i), "item " + i + " twice in epoch 1");
        }
        assertEquals(perEpoch * b, epoch0.size());
        assertNotEquals(epoch0, epoch1, "the 8 items left over should differ between epochs");
        assertFalse(Arrays.equals(Batches.of(7, 0, lengths, b), Batches.of(7, perEpoch, lengths, b)));
    }

    @Test
    void theSameSeedAndStepGiveTheSameBatch() {
        int[] lengths = lengths(500);
        assertArrayEquals(Batches.of(1, 42, lengths, 8), Batches.of(1, 42, lengths, 8));
        assertFalse(Arrays.equals(Batches.of(1, 42, lengths, 8), Batches.of(2, 42, lengths, 8)));
    }

    @Test
    void batchesAreMuchLessPaddedThanRandomOnes() {
        int[] lengths = lengths(3000);
        int b = 16, steps = 3000 / b;
        double bucketed = 0, random = 0;
        Random r = new Random(5);
        for (int s = 0; s < steps; s++) {
            bucketed += fill(Batches.of(1, s, lengths, b), lengths);
            int[] idx = r.ints(0, lengths.length).distinct().limit(b).toArray();
            random += fill(idx, lengths);
        }
        bucketed /= steps;
        random /= steps;
        assertTrue(random < 0.7, "random batches of uniform lengths are about 60 % real tokens, got " + random);
        assertTrue(bucketed > 0.95, "bucketed batches: " + bucketed + " real tokens");
    }

    @Test
    void aBatchLargerThanTheDataIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Batches.of(1, 0, new int[] {3, 4}, 3));
    }

    /** Share of a padded batch that is real tokens. */
    private static double fill(int[] idx, int[] lengths) {
        int max = 0;
        long sum = 0;
        for (int i : idx) {
            max = Math.max(max, lengths[i]);
            sum += lengths[i];
        }
        return (double) sum / ((long) max * idx.length);
    }
}
