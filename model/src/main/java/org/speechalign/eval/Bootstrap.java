package org.speechalign.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Seeded percentile bootstrap over utterances: resample the utterances with replacement,
 * recompute the statistic, take the 2.5 % and 97.5 % quantiles. Corpus-level WER is a ratio
 * (total errors / total reference words), so it is resampled as a ratio, not as a mean of rates.
 */
public final class Bootstrap {

    public static final int DEFAULT_RESAMPLES = 2000;
    public static final long DEFAULT_SEED = 20240408L;

    /** A point estimate with its 95 % interval. */
    public record Interval(double value, double low, double high) {}

    private Bootstrap() {}

    /** Ratio Σnum / Σden with a bootstrap interval (e.g. errors / reference words). */
    public static Interval ratio(double[] num, double[] den, int resamples, long seed) {
        int n = num.length;
        if (n == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN);
        double value = sum(num) / sum(den);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] stats = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double a = 0, b = 0;
            for (int k = 0; k < n; k++) {
                int j = rnd.nextInt(n);
                a += num[j];
                b += den[j];
            }
            stats[r] = b == 0 ? 0 : a / b;
        }
        return interval(value, stats);
    }

    /** Mean with a bootstrap interval; NaN entries are ignored. */
    public static Interval mean(double[] values, int resamples, long seed) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
        double[] ones = new double[v.length];
        Arrays.fill(ones, 1);
        return ratio(v, ones, resamples, seed);
    }

    /** Any statistic of resampled indices, for paired comparisons. */
    public static Interval of(int n, ToDoubleFunction<int[]> statistic, int resamples, long seed) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        double value = statistic.applyAsDouble(all);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] stats = new double[resamples];
        int[] idx = new int[n];
        for (int r = 0; r < resamples; r++) {
            for (int k = 0; k < n; k++) idx[k] = rnd.nextInt(n);
            stats[r] = statistic.applyAsDouble(idx);
        }
        return interval(value, stats);
    }

    private static Interval interval(double value, double[] stats) {
        Arrays.sort(stats);
        return new Interval(value, quantile(stats, 0.025), quantile(stats, 0.975));
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s;
    }
}
