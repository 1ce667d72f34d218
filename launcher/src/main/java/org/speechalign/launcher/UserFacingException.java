package org.speechalign.launcher;

/** A failure the user can fix; printed as one line without a stack trace. */
public class UserFacingException extends RuntimeException {
    public UserFacingException(String message) {
        super(message);
    }

    public UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
