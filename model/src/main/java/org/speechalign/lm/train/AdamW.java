package org.speechalign.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW over a fixed list of parameters, with global-norm gradient clipping. Written out (rather
 * than DJL's optimizer) so its moments can be saved and restored exactly with a checkpoint: a
 * resumed run continues bit for bit. Weight decay applies to matrices only (not to biases or
 * LayerNorm scales). Gradients are zeroed after each step (PyTorch accumulates them).
 */
public final class AdamW implements AutoCloseable {

    private final List<Parameter> parameters;
    private final NDManager manager;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double beta1, beta2, eps, weightDecay;
    private long t;

    public AdamW(NDManager parent, List<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Parameter p : this.parameters) {
            m.add(manager.zeros(p.getArray().getShape()));
            v.add(manager.zeros(p.getArray().getShape()));
        }
    }

    /**
     * One update with learning rate {@code lr}; gradients are clipped to a global norm of
     * {@code clip} (0 = no clipping). Returns the gradient norm before clipping.
     */
    public double step(double lr, double clip) {
        t++;
        try (NDManager step = manager.newSubManager()) {
            List<NDArray> grads = new ArrayList<>();
            double sq = 0;
            for (Parameter p : parameters) {
                NDArray g = p.getArray().getGradient();
                g.attach(step);
                grads.add(g);
                sq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sq);
            double scale = clip > 0 && norm > clip ? clip / norm : 1.0;
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i).getArray();
                NDArray g = grads.get(i).mul((float) scale);
                NDArray mi = m.get(i), vi = v.get(i);
                mi.tempAttach(step);
                vi.tempAttach(step);
                p.tempAttach(step);
                mi.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                vi.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray update = mi.div((float) c1).div(vi.div((float) c2).sqrt().addi((float) eps));
                if (weightDecay > 0 && p.getShape().dimension() >= 2) {
                    update.addi(p.mul((float) weightDecay));
                }
                p.subi(update.muli((float) lr));
                grads.get(i).subi(grads.get(i));
            }
            return norm;
        }
    }

    /** Zeroes the gradients without updating (e.g. after a skipped step). */
    public void zeroGradients() {
        try (NDManager step = manager.newSubManager()) {
            for (Parameter p : parameters) {
                NDArray g = p.getArray().getGradient();
                g.attach(step);
                g.subi(g);
            }
        }
    }

    public long steps() {
        return t;
    }

    /** Moments and step count, for a checkpoint. */
    public byte[] state() {
        NDList all = new NDList();
        all.add(manager.create(new long[] {t}));
        all.addAll(m);
        all.addAll(v);
        return all.encode();
    }

    public void restore(byte[] state) {
        try (NDManager tmp = manager.newSubManager()) {
            NDList all = NDList.decode(tmp, state);
            if (all.size() != 1 + 2 * parameters.size()) {
                throw new IllegalArgumentException("optimizer state holds " + all.size() + " arrays, expected " + (1 + 2 * parameters.size()));
            }
            t = all.get(0).toLongArray()[0];
            for (int i = 0; i < parameters.size(); i++) {
                copyInto(all.get(1 + i), m.get(i));
                copyInto(all.get(1 + parameters.size() + i), v.get(i));
            }
        }
    }

    private static void copyInto(NDArray from, NDArray to) {
        if (!from.getShape().equals(to.getShape())) {
            throw new IllegalArgumentException("optimizer state shape " + from.getShape() + " does not match parameter " + to.getShape());
        }
        from.copyTo(to);
    }

    @Override
    public void close() {
        manager.close();
    }
}
