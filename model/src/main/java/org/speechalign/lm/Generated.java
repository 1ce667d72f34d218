package org.speechalign.lm;

import java.util.Arrays;

/** The AR model's output for one request: frames per phone and the coarse token of every frame. */
public record Generated(int[] durations, int[] coarse, int steps) {
    public int frames() {
        return coarse.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Generated g && Arrays.equals(durations, g.durations) && Arrays.equals(coarse, g.coarse) && steps == g.steps;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(durations) + Arrays.hashCode(coarse);
    }

    @Override
    public String toString() {
        return "Generated[durations=" + Arrays.toString(durations) + ", coarse=" + Arrays.toString(coarse) + "]";
    }
}
