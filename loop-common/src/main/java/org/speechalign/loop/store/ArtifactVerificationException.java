package org.speechalign.loop.store;

/** An artifact could not be fetched or does not hash to the sha-256 it was announced with. */
public final class ArtifactVerificationException extends Exception {
    public ArtifactVerificationException(String message) {
        super(message);
    }

    public ArtifactVerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
