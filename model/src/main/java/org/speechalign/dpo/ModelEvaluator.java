package org.speechalign.dpo;

import java.util.Map;
import org.speechalign.lm.CodecLm;

/**
 * Evaluates a model on the held-out test split for the alignment loop: the intrinsic measures of
 * {@link IntrinsicMeasures}, the audio harness (WER, similarity, MCD) when it is plugged in, or both.
 * Values are numbers keyed by measure name; for an interval, {@code <name>_lo} and {@code <name>_hi}.
 */
@FunctionalInterface
public interface ModelEvaluator {
    Map<String, Double> evaluate(String label, CodecLm model);

    /** Both evaluators' measures (the second wins on a name clash). */
    default ModelEvaluator and(ModelEvaluator other) {
        return (label, model) -> {
            Map<String, Double> m = new java.util.LinkedHashMap<>(evaluate(label, model));
            m.putAll(other.evaluate(label, model));
            return m;
        };
    }
}
