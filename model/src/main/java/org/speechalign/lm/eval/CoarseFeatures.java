package org.speechalign.lm.eval;

import java.util.List;
import org.speechalign.lm.CoarseLayout;

/**
 * Fixed-length statistics of one coarse sequence (frames per phone and each frame's voicing,
 * energy and pitch): what the golden-vs-synthetic classifier sees. They describe durations,
 * prosody and frame-to-frame smoothness, not the text, so golden and synthetic sequences of the
 * same sentences can only be told apart by how they were produced.
 */
public final class CoarseFeatures {

    public static final List<String> NAMES = List.of(
            "frames_per_phone_mean", "frames_per_phone_std", "frames_per_phone_max", "zero_frame_phones",
            "voicing0", "voicing1", "voicing2", "voicing3", "voicing_switch_rate",
            "energy_mean", "energy_std", "energy_delta_abs", "energy_delta_gt3", "energy_lag1_corr",
            "pitch_mean", "pitch_std", "pitch_delta_abs", "pitch_delta_gt5", "pitch_lag1_corr",
            "pitch_voiced_std", "energy_in_phone_std");

    private CoarseFeatures() {}

    /** Features of a sequence; {@code durations} are frames per phone summing to {@code coarse.length}. */
    public static double[] of(CoarseLayout k, int[] durations, int[] coarse) {
        double[] f = new double[NAMES.size()];
        int n = coarse.length;
        int p = durations.length;
        double dm = 0, dmax = 0, zero = 0;
        for (int d : durations) {
            dm += d;
            dmax = Math.max(dmax, d);
            if (d == 0) zero++;
        }
        dm /= Math.max(1, p);
        double dv = 0;
        for (int d : durations) dv += (d - dm) * (d - dm);
        f[0] = dm;
        f[1] = Math.sqrt(dv / Math.max(1, p));
        f[2] = dmax;
        f[3] = zero / Math.max(1, p);
        if (n == 0) return f;
        double[] v = new double[n], e = new double[n], w = new double[n];
        for (int t = 0; t < n; t++) {
            v[t] = k.voicing(coarse[t]);
            e[t] = k.energy(coarse[t]);
            w[t] = k.pitch(coarse[t]);
            f[4 + (int) v[t]] += 1.0 / n;
        }
        double switches = 0, eJump = 0, wJump = 0;
        for (int t = 1; t < n; t++) {
            if (v[t] != v[t - 1]) switches++;
            if (Math.abs(e[t] - e[t - 1]) > 3) eJump++;
            if (Math.abs(w[t] - w[t - 1]) > 5) wJump++;
        }
        int pairs = Math.max(1, n - 1);
        f[8] = switches / pairs;
        f[9] = mean(e);
        f[10] = std(e);
        f[11] = meanAbsDelta(e);
        f[12] = eJump / pairs;
        f[13] = lag1(e);
        f[14] = mean(w);
        f[15] = std(w);
        f[16] = meanAbsDelta(w);
        f[17] = wJump / pairs;
        f[18] = lag1(w);
        int voiced = 0;
        for (double x : v) if (x > 0) voiced++;
        double[] wv = new double[voiced];
        for (int t = 0, i = 0; t < n; t++) if (v[t] > 0) wv[i++] = w[t];
        f[19] = voiced > 1 ? std(wv) : 0;
        double within = 0;
        int phones = 0;
        for (int i = 0, t = 0; i < p; t += durations[i], i++) {
            if (durations[i] < 2) continue;
            double[] seg = java.util.Arrays.copyOfRange(e, t, t + durations[i]);
            within += std(seg);
            phones++;
        }
        f[20] = phones == 0 ? 0 : within / phones;
        return f;
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return x.length == 0 ? 0 : s / x.length;
    }

    static double std(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return x.length == 0 ? 0 : Math.sqrt(s / x.length);
    }

    static double meanAbsDelta(double[] x) {
        double s = 0;
        for (int t = 1; t < x.length; t++) s += Math.abs(x[t] - x[t - 1]);
        return x.length < 2 ? 0 : s / (x.length - 1);
    }

    static double lag1(double[] x) {
        if (x.length < 3) return 0;
        double m = mean(x), num = 0, den = 0;
        for (int t = 0; t < x.length; t++) {
            den += (x[t] - m) * (x[t] - m);
            if (t > 0) num += (x[t] - m) * (x[t - 1] - m);
        }
        return den == 0 ? 1 : num / den;
    }
}
