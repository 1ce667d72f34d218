package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Small tensor helpers shared by the AR and NAR models. */
final class Ops {

    /** Additive value that hides a position from attention (finite so fully padded rows stay NaN-free). */
    static final float HIDDEN = -1e9f;

    private Ops() {}

    /** Sinusoidal position encodings for positions {@code start..start+length-1}: {@code (1, length, d)}. */
    static NDArray sinusoid(NDManager manager, long start, int length, int d) {
        float[] pe = new float[length * d];
        for (int p = 0; p < length; p++) {
            double pos = start + p;
            for (int i = 0; i < d; i += 2) {
                double angle = pos / Math.pow(10000.0, (double) i / d);
                pe[p * d + i] = (float) Math.sin(angle);
                if (i + 1 < d) pe[p * d + i + 1] = (float) Math.cos(angle);
            }
        }
        return manager.create(pe, new Shape(1, length, d));
    }

    /** {@code (1, 1, t, t)}: position q sees keys 0..q only. */
    static NDArray causalMask(NDManager manager, int t) {
        float[] m = new float[t * t];
        for (int q = 0; q < t; q++) {
            for (int k = q + 1; k < t; k++) m[q * t + k] = HIDDEN;
        }
        return manager.create(m, new Shape(1, 1, t, t));
    }

    /** {@code (b, 1, 1, t)} from a {@code (b, t)} 1/0 validity mask: padded keys are hidden. */
    static NDArray keyPaddingMask(NDArray valid) {
        Shape s = valid.getShape();
        return valid.toType(DataType.FLOAT32, false).sub(1f).mul(-HIDDEN).reshape(s.get(0), 1, 1, s.get(1));
    }

    /** Log-probability of {@code target} (int64, shape of logp without its last axis). */
    static NDArray pick(NDArray logp, NDArray target) {
        return logp.gather(target.expandDims(-1), -1).squeeze(-1);
    }

    /** Row {@code t} of the {@code k x k} table holds the normalised Gaussian weights of target level t. */
    private static final Map<String, float[]> GAUSSIAN_ROWS = new ConcurrentHashMap<>();

    /**
     * Cross-entropy against a target smoothed over neighbouring levels with a Gaussian of width
     * {@code sigma} (in levels): ordered fields (pitch, energy, LSP frequency) are rewarded for
     * being close, not only for being exact. {@code sigma <= 0} is the plain one-hot loss.
     * The weights are rows looked up in a constant table (no gradient flows into them): cheaper
     * than computing the Gaussian for every element, with the same result.
     */
    static NDArray orderedNll(NDArray logp, NDArray target, float sigma) {
        if (sigma <= 0) {
            return pick(logp, target).neg();
        }
        Shape shape = logp.getShape();
        int k = (int) shape.get(shape.dimension() - 1);
        float[] rows = GAUSSIAN_ROWS.computeIfAbsent(k + "/" + sigma, key -> gaussianRows(k, sigma));
        NDArray table = logp.getManager().create(rows, new Shape(k, k));
        NDArray w = table.get(new NDIndex("{}", target.flatten())).reshape(shape);
        return w.mul(logp).sum(new int[] {-1}).neg();
    }

    private static float[] gaussianRows(int k, float sigma) {
        float[] rows = new float[k * k];
        double[] weight = new double[k];
        for (int t = 0; t < k; t++) {
            double norm = 0;
            for (int l = 0; l < k; l++) {
                weight[l] = Math.exp(-(double) (l - t) * (l - t) / (2.0 * sigma * sigma));
                norm += weight[l];
            }
            for (int l = 0; l < k; l++) rows[t * k + l] = (float) (weight[l] / norm);
        }
        return rows;
    }

    /** Sum of {@code values * mask} divided by the mask's sum (at least 1). */
    static NDArray maskedMean(NDArray values, NDArray mask) {
        return values.mul(mask).sum().div(mask.sum().maximum(1f));
    }

    static NDArray longs(NDManager manager, long[] values, long... shape) {
        return manager.create(values, new Shape(shape));
    }
}
