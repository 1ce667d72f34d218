package org.speechalign.dpo;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DPO losses over a batch of pairs, the same formulas as TRL's DPO trainer. With
 * {@code h = (log pi(c) - log pi(r)) - (log ref(c) - log ref(r))} and label smoothing {@code e}:
 * <ul>
 *   <li>sigmoid: {@code -(1-e) logsig(beta h) - e logsig(-beta h)} (e = 0 is plain DPO, e > 0 conservative DPO)
 *   <li>robust: {@code (-(1-e) logsig(beta h) + e logsig(-beta h)) / (1 - 2e)}
 *   <li>hinge: {@code relu(1 - beta h)}
 *   <li>ipo: {@code (h - 1/(2 beta))^2}
 * </ul>
 * averaged over the batch; plus {@code sftWeight * mean(-log pi(c) / |c|)} when the SFT term is on.
 * Rewards are {@code beta (log pi - log ref)} per side (reported, not differentiated). The log-probs
 * are sums over tokens, or per-token means (see {@link DpoConfig#meanOverTokens()}).
 */
public final class DpoLoss {

    /** Metric names, as TRL logs them. */
    public static final String LOSS = "loss", REWARDS_CHOSEN = "rewards/chosen", REWARDS_REJECTED = "rewards/rejected",
            REWARDS_MARGINS = "rewards/margins", REWARDS_ACCURACIES = "rewards/accuracies", LOGPS_CHOSEN = "logps/chosen",
            LOGPS_REJECTED = "logps/rejected", GRAD_NORM = "grad_norm", NLL_LOSS = "nll_loss";

    private DpoLoss() {}

    /** The scalar to differentiate and the batch's metrics (without grad_norm, which the trainer adds). */
    public record Output(NDArray loss, Map<String, Float> metrics) {}

    /**
     * @param policyChosen {@code (b)} summed log-probs of the chosen sides under the policy (with gradients)
     * @param policyRejected {@code (b)} the same for the rejected sides
     * @param refChosen {@code (b)} summed log-probs under the reference (no gradients)
     * @param refRejected {@code (b)}
     * @param chosenTokens {@code (b)} token counts of the chosen sides (float)
     * @param rejectedTokens {@code (b)}
     */
    public static Output compute(DpoConfig c, NDArray policyChosen, NDArray policyRejected, NDArray refChosen, NDArray refRejected,
            NDArray chosenTokens, NDArray rejectedTokens) {
        NDArray pc = policyChosen, pr = policyRejected, rc = refChosen, rr = refRejected;
        if (c.meanOverTokens()) {
            pc = pc.div(chosenTokens);
            pr = pr.div(rejectedTokens);
            rc = rc.div(chosenTokens);
            rr = rr.div(rejectedTokens);
        }
        NDArray h = pc.sub(pr).sub(rc.sub(rr));
        float beta = (float) c.beta();
        float e = (float) c.labelSmoothing();
        NDArray losses = switch (c.lossType()) {
            case SIGMOID -> logSigmoid(h.mul(beta)).mul(-(1 - e)).sub(logSigmoid(h.mul(-beta)).mul(e));
            case ROBUST -> logSigmoid(h.mul(beta)).mul(-(1 - e)).add(logSigmoid(h.mul(-beta)).mul(e)).div(1 - 2 * e);
            case HINGE -> h.mul(-beta).add(1f).maximum(0f);
            case IPO -> h.sub((float) (1 / (2 * c.beta()))).square();
        };
        NDArray loss = losses.mean();
        Map<String, Float> m = new LinkedHashMap<>();
        Float nll = null;
        if (c.sftWeight() > 0) {
            NDArray sft = policyChosen.div(chosenTokens).neg().mean();
            nll = sft.getFloat();
            loss = loss.add(sft.mul((float) c.sftWeight()));
        }
        float[] pcv = pc.toFloatArray(), prv = pr.toFloatArray(), rcv = rc.toFloatArray(), rrv = rr.toFloatArray();
        double chosenReward = 0, rejectedReward = 0, accurate = 0, lc = 0, lr = 0;
        int b = pcv.length;
        for (int i = 0; i < b; i++) {
            double cr = c.beta() * (pcv[i] - rcv[i]);
            double rj = c.beta() * (prv[i] - rrv[i]);
            chosenReward += cr;
            rejectedReward += rj;
            accurate += cr > rj ? 1 : 0;
            lc += pcv[i];
            lr += prv[i];
        }
        m.put(LOSS, loss.getFloat());
        m.put(REWARDS_CHOSEN, (float) (chosenReward / b));
        m.put(REWARDS_REJECTED, (float) (rejectedReward / b));
        m.put(REWARDS_MARGINS, (float) ((chosenReward - rejectedReward) / b));
        m.put(REWARDS_ACCURACIES, (float) (accurate / b));
        m.put(LOGPS_CHOSEN, (float) (lc / b));
        m.put(LOGPS_REJECTED, (float) (lr / b));
        if (nll != null) m.put(NLL_LOSS, nll);
        return new Output(loss, m);
    }

    /** {@code log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|))}, stable for large |x|. */
    static NDArray logSigmoid(NDArray x) {
        return x.minimum(0f).sub(x.abs().neg().exp().add(1f).log());
    }
}
