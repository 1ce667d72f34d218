package org.speechalign.eval;

/**
 * Mel-cepstral distortion with dynamic time warping, in dB:
 * MCD = (10 / ln 10) · √2 · mean over the DTW path of ‖c − c'‖ over c_1..c_24 (c_0, the frame
 * energy, excluded). Leading and trailing silence (frames more than 40 dB below the loudest) is
 * trimmed from both signals first; the path uses steps (1,0), (0,1), (1,1) with Euclidean cost.
 */
public final class MelCepstralDistortion {
    public static final double K = 10.0 / Math.log(10) * Math.sqrt(2);
    private static final double SILENCE_DB = 40;

    private MelCepstralDistortion() {}

    /** Mel-cepstra of the speech part of {@code pcm}: what {@link #distortion(double[][], double[][])} compares. */
    public static double[][] features(short[] pcm, int sampleRate) {
        Spectra.Frames s = Spectra.analyse(pcm, sampleRate);
        double[][] c = MelCepstrum.of(s);
        int[] span = Spectra.speechSpan(s.energyDb(), SILENCE_DB);
        return java.util.Arrays.copyOfRange(c, span[0], span[1]);
    }

    public static double mcd(short[] test, short[] reference, int sampleRate) {
        return distortion(features(test, sampleRate), features(reference, sampleRate));
    }

    /** MCD in dB between two mel-cepstrum sequences (c_0 ignored); NaN if either is empty. */
    public static double distortion(double[][] a, double[][] b) {
        int n = a.length, m = b.length;
        if (n == 0 || m == 0) return Double.NaN;
        double[][] cost = new double[n][m];
        int[][] len = new int[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double d = dist(a[i], b[j]);
                if (i == 0 && j == 0) {
                    cost[i][j] = d;
                    len[i][j] = 1;
                    continue;
                }
                double best = Double.POSITIVE_INFINITY;
                int bl = 0;
                if (i > 0 && j > 0 && cost[i - 1][j - 1] < best) { best = cost[i - 1][j - 1]; bl = len[i - 1][j - 1]; }
                if (i > 0 && cost[i - 1][j] < best) { best = cost[i - 1][j]; bl = len[i - 1][j]; }
                if (j > 0 && cost[i][j - 1] < best) { best = cost[i][j - 1]; bl = len[i][j - 1]; }
                cost[i][j] = best + d;
                len[i][j] = bl + 1;
            }
        }
        return K * cost[n - 1][m - 1] / len[n - 1][m - 1];
    }

    private static double dist(double[] x, double[] y) {
        double s = 0;
        for (int k = 1; k < Math.min(x.length, y.length); k++) {
            double d = x[k] - y[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
