package org.speechalign.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Speaker similarity trained on the golden corpus (a classic i-vector-era back end, small enough
 * to train in a second):
 * <ol>
 *   <li>utterance statistics: MFCC c1..c19 (24 mel filters, 100–3800 Hz, 25 ms / 10 ms frames) over
 *       the frames within 30 dB of the loudest; the vector is their mean and standard deviation (38 values);</li>
 *   <li>standardise with the training set's per-dimension mean and deviation, centre on the mean of
 *       the speaker centroids;</li>
 *   <li>whiten by the within-speaker covariance (WCCN, shrunk by 10 % towards its average variance;
 *       Cholesky factor), so directions in which one speaker's utterances vary count little and
 *       directions that separate speakers count much;</li>
 *   <li>similarity = cosine between an utterance's whitened vector and its speaker's centroid, in [−1, 1].</li>
 * </ol>
 * Validation on held-out utterances ({@link #identificationAccuracy}) is reported with every evaluation.
 */
public record SpeakerModel(
        double[] mean,
        double[] scale,
        double[] centre,
        double[][] whitenInverse, // lower-triangular L with W = L Lᵀ; embedding = L⁻¹ z
        Map<String, double[]> centroids,
        Map<String, Integer> trainingUtterances) {

    public static final String METHOD = "cosine to the speaker's golden centroid of WCCN-whitened MFCC mean+std statistics";
    private static final int MFCC = 19, FILTERS = 24;
    private static final double LOW_HZ = 100, HIGH_HZ = 3800, SHRINK = 0.1, SPEECH_DB = 30;

    /** Mean and standard deviation of c1..c19 over speech frames: the raw 38-dim statistics. */
    public static double[] statistics(short[] pcm, int sampleRate) {
        Spectra.Frames s = Spectra.analyse(pcm, sampleRate);
        double max = Double.NEGATIVE_INFINITY;
        for (double e : s.energyDb()) max = Math.max(max, e);
        double[][] fb = filterbank(s.fftSize(), sampleRate);
        double[] sum = new double[MFCC], sq = new double[MFCC];
        int n = 0;
        for (int f = 0; f < s.count(); f++) {
            if (s.energyDb()[f] < max - SPEECH_DB) continue;
            double[] logMel = new double[FILTERS];
            for (int b = 0; b < FILTERS; b++) {
                double e = 0;
                double[] w = fb[b];
                for (int k = 0; k < w.length; k++) e += w[k] * s.power()[f][k];
                logMel[b] = Math.log(e + 1.0);
            }
            for (int c = 1; c <= MFCC; c++) {
                double v = 0;
                for (int b = 0; b < FILTERS; b++) v += logMel[b] * Math.cos(Math.PI * c * (b + 0.5) / FILTERS);
                v *= Math.sqrt(2.0 / FILTERS);
                sum[c - 1] += v;
                sq[c - 1] += v * v;
            }
            n++;
        }
        double[] out = new double[2 * MFCC];
        if (n == 0) return out;
        for (int c = 0; c < MFCC; c++) {
            double m = sum[c] / n;
            out[c] = m;
            out[MFCC + c] = Math.sqrt(Math.max(sq[c] / n - m * m, 0));
        }
        return out;
    }

    private static double[][] filterbank(int fft, int rate) {
        int bins = fft / 2 + 1;
        double high = Math.min(HIGH_HZ, rate / 2.0 - 100);
        double mLow = mel(LOW_HZ), mHigh = mel(high);
        double[] edges = new double[FILTERS + 2];
        for (int i = 0; i < edges.length; i++) edges[i] = hz(mLow + (mHigh - mLow) * i / (FILTERS + 1));
        double[][] fb = new double[FILTERS][bins];
        for (int b = 0; b < FILTERS; b++) {
            for (int k = 0; k < bins; k++) {
                double f = (double) k * rate / fft;
                double up = (f - edges[b]) / (edges[b + 1] - edges[b]);
                double down = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
                fb[b][k] = Math.max(0, Math.min(up, down));
            }
        }
        return fb;
    }

    private static double mel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    private static double hz(double mel) {
        return 700 * (Math.pow(10, mel / 2595) - 1);
    }

    /** Trains on raw statistics ({@link #statistics}) grouped by speaker; needs ≥ 2 speakers. */
    public static SpeakerModel train(Map<String, List<double[]>> bySpeaker) {
        if (bySpeaker.size() < 2) throw new IllegalArgumentException("speaker similarity needs at least 2 speakers");
        int d = 2 * MFCC;
        List<double[]> all = new ArrayList<>();
        bySpeaker.values().forEach(all::addAll);
        double[] mean = new double[d], scale = new double[d];
        for (double[] x : all) for (int i = 0; i < d; i++) mean[i] += x[i] / all.size();
        for (double[] x : all) for (int i = 0; i < d; i++) scale[i] += (x[i] - mean[i]) * (x[i] - mean[i]) / all.size();
        for (int i = 0; i < d; i++) scale[i] = Math.sqrt(scale[i]) + 1e-9;
        Map<String, double[]> zCentroid = new TreeMap<>();
        double[][] within = new double[d][d];
        for (Map.Entry<String, List<double[]>> e : new TreeMap<>(bySpeaker).entrySet()) {
            List<double[]> zs = e.getValue().stream().map(x -> standardise(x, mean, scale)).toList();
            double[] c = new double[d];
            for (double[] z : zs) for (int i = 0; i < d; i++) c[i] += z[i] / zs.size();
            zCentroid.put(e.getKey(), c);
            for (double[] z : zs) {
                for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) within[i][j] += (z[i] - c[i]) * (z[j] - c[j]) / all.size();
            }
        }
        double avgVar = 0;
        for (int i = 0; i < d; i++) avgVar += within[i][i] / d;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) within[i][j] *= (1 - SHRINK);
            within[i][i] += SHRINK * avgVar + 1e-9;
        }
        double[][] chol = cholesky(within);
        double[] centre = new double[d];
        for (double[] c : zCentroid.values()) for (int i = 0; i < d; i++) centre[i] += c[i] / zCentroid.size();
        Map<String, double[]> centroids = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        SpeakerModel partial = new SpeakerModel(mean, scale, centre, chol, Map.of(), Map.of());
        for (Map.Entry<String, List<double[]>> e : new TreeMap<>(bySpeaker).entrySet()) {
            double[] c = new double[d];
            for (double[] x : e.getValue()) {
                double[] y = partial.embed(x);
                for (int i = 0; i < d; i++) c[i] += y[i] / e.getValue().size();
            }
            centroids.put(e.getKey(), c);
            counts.put(e.getKey(), e.getValue().size());
        }
        return new SpeakerModel(mean, scale, centre, chol, centroids, counts);
    }

    /** The whitened embedding of raw statistics. */
    public double[] embed(double[] stats) {
        double[] z = standardise(stats, mean, scale);
        for (int i = 0; i < z.length; i++) z[i] -= centre[i];
        // forward substitution: y = L⁻¹ z
        double[][] l = whitenInverse;
        double[] y = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            double s = z[i];
            for (int j = 0; j < i; j++) s -= l[i][j] * y[j];
            y[i] = s / l[i][i];
        }
        return y;
    }

    /** Cosine similarity in [−1, 1] of raw statistics to the centroid of {@code speaker}; NaN for an unknown speaker. */
    public double similarity(double[] stats, String speaker) {
        double[] c = centroids.get(speaker);
        return c == null ? Double.NaN : cosine(embed(stats), c);
    }

    public double similarity(short[] pcm, int sampleRate, String speaker) {
        return similarity(statistics(pcm, sampleRate), speaker);
    }

    /** The speaker whose centroid is closest (highest cosine). */
    public String identify(double[] stats) {
        double[] y = embed(stats);
        String best = null;
        double bestSim = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> e : centroids.entrySet()) {
            double s = cosine(y, e.getValue());
            if (s > bestSim) { bestSim = s; best = e.getKey(); }
        }
        return best;
    }

    /** Fraction of held-out utterances (speaker → statistics) whose nearest centroid is their own speaker. */
    public double identificationAccuracy(Map<String, List<double[]>> heldOut) {
        int right = 0, all = 0;
        for (Map.Entry<String, List<double[]>> e : heldOut.entrySet()) {
            for (double[] x : e.getValue()) {
                if (e.getKey().equals(identify(x))) right++;
                all++;
            }
        }
        return all == 0 ? Double.NaN : (double) right / all;
    }

    static double cosine(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    private static double[] standardise(double[] x, double[] mean, double[] scale) {
        double[] z = new double[x.length];
        for (int i = 0; i < x.length; i++) z[i] = (x[i] - mean[i]) / scale[i];
        return z;
    }

    private static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) l[i][i] = Math.sqrt(Math.max(s, 1e-12));
                else l[i][j] = s / l[j][j];
            }
        }
        return l;
    }
}
