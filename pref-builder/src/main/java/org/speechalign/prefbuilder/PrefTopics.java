package org.speechalign.prefbuilder;

import java.util.List;
import org.speechalign.contracts.Topics;

/**
 * The topics pref-builder reads and writes: the platform's names ({@link Topics}) behind an
 * optional prefix, so tests (and a staging run sharing a cluster) can use their own copies.
 */
public record PrefTopics(String prefix) {

    public static final PrefTopics PLATFORM = new PrefTopics("");

    public PrefTopics {
        prefix = prefix == null ? "" : prefix;
    }

    public String golden() {
        return prefix + Topics.GOLDEN;
    }

    public String synthesis() {
        return prefix + Topics.SYNTHESIS;
    }

    public String ratings() {
        return prefix + Topics.RATINGS;
    }

    public String comparisons() {
        return prefix + Topics.COMPARISONS;
    }

    public String preferences() {
        return prefix + Topics.PREFERENCES;
    }

    public String trainingBatches() {
        return prefix + Topics.TRAINING_BATCHES;
    }

    public static String dlq(String topic) {
        return Topics.dlqOf(topic);
    }

    /** The inputs of the topology (each has a {@code .dlq}). */
    public List<String> inputs() {
        return List.of(golden(), synthesis(), ratings(), comparisons());
    }

    /** Every topic pref-builder needs to exist before it starts. */
    public List<String> all() {
        return List.of(golden(), dlq(golden()), synthesis(), dlq(synthesis()), ratings(), dlq(ratings()),
                comparisons(), dlq(comparisons()), preferences(), trainingBatches());
    }
}
