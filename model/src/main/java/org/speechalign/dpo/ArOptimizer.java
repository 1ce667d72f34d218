package org.speechalign.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import org.speechalign.lm.ArModel;

/**
 * Adam (DJL's) over the AR model's parameters only — the NAR model is frozen, as in the paper —
 * with global-norm gradient clipping. PyTorch accumulates gradients, so each step zeroes them after
 * the update.
 */
final class ArOptimizer {

    private final List<Parameter> parameters = new ArrayList<>();
    private final Optimizer adam;
    private final double clip;

    ArOptimizer(ArModel ar, double learningRate, double clip) {
        ar.getParameters().forEach(p -> parameters.add(p.getValue()));
        // parameters read from an archive do not require gradients yet
        for (Parameter p : parameters) {
            if (!p.getArray().hasGradient()) p.getArray().setRequiresGradient(true);
        }
        adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build();
        this.clip = clip;
    }

    /** Clips, updates and zeroes; returns the gradient norm before clipping. */
    double step(NDManager stepManager) {
        List<NDArray> grads = new ArrayList<>(parameters.size());
        NDList squares = new NDList();
        for (Parameter p : parameters) {
            NDArray g = p.getArray().getGradient();
            g.attach(stepManager);
            grads.add(g);
            squares.add(g.square().sum().reshape(1));
        }
        double norm = Math.sqrt(ai.djl.ndarray.NDArrays.concat(squares).sum().getFloat());
        if (clip > 0 && norm > clip) {
            float scale = (float) (clip / norm);
            for (NDArray g : grads) g.muli(scale);
        }
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            adam.update(p.getId(), p.getArray(), grads.get(i));
        }
        for (NDArray g : grads) g.subi(g);
        return norm;
    }

    /** Zeroes the gradients without an update. */
    void zero(NDManager stepManager) {
        for (Parameter p : parameters) {
            NDArray g = p.getArray().getGradient();
            g.attach(stepManager);
            g.subi(g);
        }
    }

}
