package org.speechalign.loop.registry;

/** A registry operation that cannot be done as asked (unknown version, no rollback target, …). */
public final class RegistryException extends Exception {
    public RegistryException(String message) {
        super(message);
    }
}
