package org.speechalign.lm;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Samples one index from log-probabilities with temperature, top-k and top-p (nucleus). */
final class Sampler {

    private Sampler() {}

    /** {@code logp[offset .. offset+n-1]} are the head's log-probabilities. */
    static int sample(float[] logp, int offset, int n, SamplingConfig s, SplittableRandom random) {
        double u = random.nextDouble(); // always drawn, so greedy and sampled runs consume the stream alike
        if (s.temperature() == 0) {
            return argmax(logp, offset, n);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int cmp = Float.compare(logp[offset + b], logp[offset + a]);
            return cmp != 0 ? cmp : Integer.compare(a, b);
        });
        int keep = s.topK() > 0 ? Math.min(s.topK(), n) : n;
        double max = logp[offset + order[0]] / s.temperature();
        double[] p = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logp[offset + order[i]] / s.temperature() - max);
            total += p[i];
        }
        if (s.topP() < 1) {
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / total;
                if (cumulative >= s.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            total = 0;
            for (int i = 0; i < keep; i++) total += p[i];
        }
        double target = u * total;
        for (int i = 0; i < keep; i++) {
            target -= p[i];
            if (target <= 0) return order[i];
        }
        return order[keep - 1];
    }

    static int argmax(float[] logp, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logp[offset + i] > logp[offset + best]) best = i;
        }
        return best;
    }
}
