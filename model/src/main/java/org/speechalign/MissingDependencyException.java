package org.speechalign;

/**
 * A system package the platform needs (libcodec2, flite) is not installed. Its message is one
 * line that names the Debian package to install.
 */
public class MissingDependencyException extends RuntimeException {
    public MissingDependencyException(String what, String debianPackage, Throwable cause) {
        super(what + " is not installed: install the Debian package " + debianPackage
                + " (apt-get install " + debianPackage + ")", cause);
    }
}
