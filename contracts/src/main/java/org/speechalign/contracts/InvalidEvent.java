package org.speechalign.contracts;

import java.util.List;

/** An event that cannot be read or fails validation; carries every field error found. */
public final class InvalidEvent extends Exception {
    private final List<FieldError> errors;

    public InvalidEvent(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).reduce((a, b) -> a + "; " + b).orElse("invalid event"));
        this.errors = List.copyOf(errors);
    }

    public InvalidEvent(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
