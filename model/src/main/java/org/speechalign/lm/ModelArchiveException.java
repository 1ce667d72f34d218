package org.speechalign.lm;

/** A model archive that cannot be trusted or used: corrupted, tampered with, or not matching its config. */
public final class ModelArchiveException extends RuntimeException {
    public ModelArchiveException(String message) {
        super(message);
    }

    public ModelArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
