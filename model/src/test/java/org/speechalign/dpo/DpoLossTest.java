package org.speechalign.dpo;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.speechalign.dpo.DpoConfig.LengthNorm;
import org.speechalign.dpo.DpoConfig.LossType;

/**
 * Each loss against values computed by hand. Two pairs, beta 0.5: policy chosen/rejected sums
 * (-10, -12) and (-5, -4), reference (-11, -11) and (-5, -5); so {@code h = 2} and {@code h = -1}.
 * Token counts: chosen 5 and 4, rejected 6 and 2.
 */
class DpoLossTest {

    static final DpoConfig BASE = DpoConfig.defaults().withBeta(0.5).withLengthNorm(LengthNorm.SUM);

    private static Map<String, Float> run(DpoConfig c) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pc = m.create(new float[] {-10, -5}), pr = m.create(new float[] {-12, -4});
            NDArray rc = m.create(new float[] {-11, -5}), rr = m.create(new float[] {-11, -5});
            NDArray lc = m.create(new float[] {5, 4}), lr = m.create(new float[] {6, 2});
            return DpoLoss.compute(c, pc, pr, rc, rr, lc, lr).metrics();
        }
    }

    private static float loss(DpoConfig c) {
        return run(c).get(DpoLoss.LOSS);
    }

    @Test
    void sigmoid() {
        // (-logsig(1) - logsig(-0.5)) / 2 = (log(1+e^-1) + log(1+e^0.5)) / 2
        assertEquals(0.6436693, loss(BASE), 1e-6);
        assertEquals((Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(0.5))) / 2, loss(BASE), 1e-6);
    }

    @Test
    void sigmoidWithLabelSmoothing() {
        // per pair -(0.9) logsig(bh) - 0.1 logsig(-bh): 0.4132617 and 0.9240770
        assertEquals(0.6686693, loss(BASE.withLabelSmoothing(0.1)), 1e-6);
    }

    @Test
    void robust() {
        // per pair (-(0.9) logsig(bh) + 0.1 logsig(-bh)) / 0.8
        assertEquals(0.6124193, loss(BASE.withLoss(LossType.ROBUST).withLabelSmoothing(0.1)), 1e-6);
        assertEquals(loss(BASE), loss(BASE.withLoss(LossType.ROBUST)), 1e-6, "robust with no smoothing is sigmoid");
    }

    @Test
    void hinge() {
        // relu(1 - 0.5*2) = 0, relu(1 + 0.5) = 1.5; mean 0.75
        assertEquals(0.75, loss(BASE.withLoss(LossType.HINGE)), 1e-6);
    }

    @Test
    void ipoUsesPerTokenMeansByDefault() {
        // AUTO: per-token means. h1 = (-2 + 2) - (-2.2 + 11/6) = 0.3667, h2 = (-1.25 + 2) - (-1.25 + 2.5) = -0.5;
        // ((h1 - 1)^2 + (h2 - 1)^2) / 2 = (0.401111 + 2.25) / 2
        DpoConfig ipo = BASE.withLoss(LossType.IPO).withLengthNorm(LengthNorm.AUTO);
        assertEquals(1.3255556, loss(ipo), 1e-5);
        // with sums: ((2 - 1)^2 + (-1 - 1)^2) / 2
        assertEquals(2.5, loss(ipo.withLengthNorm(LengthNorm.SUM)), 1e-6);
    }

    @Test
    void sftTermIsTheChosenNllPerToken() {
        // (10/5 + 5/4) / 2 = 1.625, weighted 0.2
        Map<String, Float> m = run(BASE.withSftWeight(0.2));
        assertEquals(1.625, m.get(DpoLoss.NLL_LOSS), 1e-6);
        assertEquals(0.6436693 + 0.2 * 1.625, m.get(DpoLoss.LOSS), 1e-6);
    }

    @Test
    void metricsHaveTrlNamesAndValues() {
        Map<String, Float> m = run(BASE);
        assertEquals(0.25, m.get("rewards/chosen"), 1e-6); // 0.5 * mean(1, 0)
        assertEquals(0.0, m.get("rewards/rejected"), 1e-6); // 0.5 * mean(-1, 1)
        assertEquals(0.25, m.get("rewards/margins"), 1e-6);
        assertEquals(0.5, m.get("rewards/accuracies"), 1e-6);
        assertEquals(-7.5, m.get("logps/chosen"), 1e-6);
        assertEquals(-8.0, m.get("logps/rejected"), 1e-6);
    }

    @Test
    void sigmoidIsLn2WhenPolicyEqualsReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = m.create(new float[] {-30, -7, -12}), r = m.create(new float[] {-25, -9, -40});
            NDArray n = m.create(new float[] {10, 3, 8});
            var out = DpoLoss.compute(DpoConfig.defaults(), c, r, c, r, n, n);
            assertEquals(Math.log(2), out.metrics().get(DpoLoss.LOSS), 1e-6);
            assertEquals(0.0, out.metrics().get("rewards/margins"), 1e-6);
        }
    }

    @Test
    void logSigmoidIsStable() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = DpoLoss.logSigmoid(m.create(new float[] {-200, 0, 200})).toFloatArray();
            assertEquals(-200, v[0], 1e-3);
            assertEquals(-Math.log(2), v[1], 1e-6);
            assertEquals(0, v[2], 1e-6);
        }
    }
}
