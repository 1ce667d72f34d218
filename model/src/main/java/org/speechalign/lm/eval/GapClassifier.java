package org.speechalign.lm.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import org.speechalign.eval.Bootstrap;

/**
 * The distribution-gap classifier: L2-regularised logistic regression on {@link CoarseFeatures}
 * (standardised with the training set's means and deviations), trained to tell golden coarse
 * sequences (label 1) from synthesised ones (label 0). Held-out accuracy near 50 % means the model's
 * coarse tokens are statistically indistinguishable from real ones (no gap); near 100 % is a wide
 * gap. Deterministic: full-batch gradient descent from zero weights.
 */
public final class GapClassifier {

    private final double[] mean, scale, weights;
    private final double bias;

    private GapClassifier(double[] mean, double[] scale, double[] weights, double bias) {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
        this.bias = bias;
    }

    /** Trains on feature vectors of golden and synthetic sequences. */
    public static GapClassifier train(List<double[]> golden, List<double[]> synthetic, double l2, int iterations) {
        if (golden.isEmpty() || synthetic.isEmpty()) throw new IllegalArgumentException("need golden and synthetic training sequences");
        List<double[]> x = new ArrayList<>(golden);
        x.addAll(synthetic);
        int n = x.size(), d = x.get(0).length;
        double[] y = new double[n];
        for (int i = 0; i < golden.size(); i++) y[i] = 1;
        // class-balanced weights: an unbalanced training set does not pull the decision to one side
        double wPos = n / (2.0 * golden.size()), wNeg = n / (2.0 * synthetic.size());
        double[] mean = new double[d], scale = new double[d];
        for (double[] v : x) for (int j = 0; j < d; j++) mean[j] += v[j] / n;
        for (double[] v : x) for (int j = 0; j < d; j++) scale[j] += (v[j] - mean[j]) * (v[j] - mean[j]) / n;
        for (int j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? Math.sqrt(scale[j]) : 1;
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) z[i][j] = (x.get(i)[j] - mean[j]) / scale[j];
        double[] w = new double[d];
        double b = 0, lr = 0.5;
        for (int it = 0; it < iterations; it++) {
            double[] g = new double[d];
            double gb = 0;
            for (int i = 0; i < n; i++) {
                double s = b;
                for (int j = 0; j < d; j++) s += w[j] * z[i][j];
                double err = (sigmoid(s) - y[i]) * (y[i] == 1 ? wPos : wNeg);
                for (int j = 0; j < d; j++) g[j] += err * z[i][j];
                gb += err;
            }
            for (int j = 0; j < d; j++) w[j] -= lr * (g[j] / n + l2 * w[j]);
            b -= lr * gb / n;
        }
        return new GapClassifier(mean, scale, w, b);
    }

    /** Probability that {@code features} come from a golden sequence. */
    public double probabilityGolden(double[] features) {
        double s = bias;
        for (int j = 0; j < weights.length; j++) s += weights[j] * (features[j] - mean[j]) / scale[j];
        return sigmoid(s);
    }

    /**
     * Held-out accuracy (balanced: the mean of the accuracies on golden and on synthetic
     * sequences, so 50 % is chance whatever the class sizes) with a 95 % bootstrap interval, and the
     * ROC AUC.
     */
    public Result evaluate(List<double[]> golden, List<double[]> synthetic) {
        int ng = golden.size(), ns = synthetic.size();
        double[] hitG = new double[ng], hitS = new double[ns], pg = new double[ng], psy = new double[ns];
        for (int i = 0; i < ng; i++) {
            pg[i] = probabilityGolden(golden.get(i));
            hitG[i] = pg[i] >= 0.5 ? 1 : 0;
        }
        for (int i = 0; i < ns; i++) {
            psy[i] = probabilityGolden(synthetic.get(i));
            hitS[i] = psy[i] < 0.5 ? 1 : 0;
        }
        double acc = 0.5 * (CoarseFeatures.mean(hitG) + CoarseFeatures.mean(hitS));
        // two-sample bootstrap: golden and synthetic sequences resampled separately
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(Bootstrap.DEFAULT_SEED);
        double[] stats = new double[Bootstrap.DEFAULT_RESAMPLES];
        for (int r = 0; r < stats.length; r++) {
            double a = 0, b = 0;
            for (int i = 0; i < ng; i++) a += hitG[rnd.nextInt(ng)];
            for (int i = 0; i < ns; i++) b += hitS[rnd.nextInt(ns)];
            stats[r] = 0.5 * (a / ng + b / ns);
        }
        java.util.Arrays.sort(stats);
        Bootstrap.Interval ci = new Bootstrap.Interval(acc, stats[(int) (0.025 * (stats.length - 1))],
                stats[(int) Math.ceil(0.975 * (stats.length - 1))]);
        return new Result(ng, ns, acc, ci.low(), ci.high(), auc(pg, psy));
    }

    /** Feature weights (in standard deviations): positive = more typical of golden sequences. */
    public double[] weights() {
        return weights.clone();
    }

    static double auc(double[] pos, double[] neg) {
        double wins = 0;
        for (double p : pos) for (double q : neg) wins += p > q ? 1 : p == q ? 0.5 : 0;
        return pos.length == 0 || neg.length == 0 ? Double.NaN : wins / ((double) pos.length * neg.length);
    }

    private static double sigmoid(double s) {
        return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
    }

    /** Held-out result. */
    public record Result(
            @JsonProperty("golden_sequences") int goldenSequences,
            @JsonProperty("synthetic_sequences") int syntheticSequences,
            @JsonProperty("accuracy") double accuracy,
            @JsonProperty("accuracy_low") double accuracyLow,
            @JsonProperty("accuracy_high") double accuracyHigh,
            @JsonProperty("auc") double auc) {}
}
