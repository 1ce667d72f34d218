package org.speechalign.prefbuilder;

import org.speechalign.contracts.DeadLetter;

/**
 * The outcome of reading one input record: a valid event (or a tombstone, for the compacted golden
 * topic), or a dead letter for the input's {@code .dlq}. Lives only between two processors, never serialised.
 */
public record Checked<T>(T value, DeadLetter deadLetter, boolean tombstone) {

    static <T> Checked<T> ok(T value) {
        return new Checked<>(value, null, false);
    }

    static <T> Checked<T> deleted() {
        return new Checked<>(null, null, true);
    }

    static <T> Checked<T> rejected(DeadLetter d) {
        return new Checked<>(null, d, false);
    }

    public boolean valid() {
        return deadLetter == null;
    }
}
