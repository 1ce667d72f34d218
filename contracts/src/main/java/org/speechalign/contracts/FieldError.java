package org.speechalign.contracts;

/**
 * One problem with an event, naming the JSON field ({@code score}, {@code [3].rater_id}, or
 * {@code (body)} when the document itself is broken).
 */
public record FieldError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
