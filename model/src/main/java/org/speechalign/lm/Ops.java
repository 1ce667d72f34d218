package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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

    /**
     * Cross-entropy against a target smoothed over neighbouring levels with a Gaussian of width
     * {@code sigma} (in levels): ordered fields (pitch, energy, LSP frequency) are rewarded for
     * being close, not only for being exact. {@code sigma <= 0} is the plain one-hot loss.
     */
    static NDArray orderedNll(NDArray logp, NDArray target, float sigma) {
        if (sigma <= 0) {
            return pick(logp, target).neg();
        }
        long k = logp.getShape().get(logp.getShape().dimension() - 1);
        NDArray levels = logp.getManager().arange(0f, (float) k, 1f, DataType.FLOAT32);
        NDArray diff = target.toType(DataType.FLOAT32, false).expandDims(-1).sub(levels);
        NDArray w = diff.square().mul(-1f / (2f * sigma * sigma)).exp();
        w = w.div(w.sum(new int[] {-1}, true));
        return w.mul(logp).sum(new int[] {-1}).neg();
    }

    /** Sum of {@code values * mask} divided by the mask's sum (at least 1). */
    static NDArray maskedMean(NDArray values, NDArray mask) {
        return values.mul(mask).sum().div(mask.sum().maximum(1f));
    }

    static NDArray longs(NDManager manager, long[] values, long... shape) {
        return manager.create(values, new Shape(shape));
    }
}
