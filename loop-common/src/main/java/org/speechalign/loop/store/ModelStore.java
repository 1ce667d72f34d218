package org.speechalign.loop.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where model artifacts live (DESIGN.md's artifact contract): one file per artifact, named and
 * addressed by the sha-256 of its bytes. The directory implementation is the default (a shared
 * volume in docker-compose); an object store can implement the same interface.
 *
 * <p>{@link #put} is idempotent (same bytes, same address). {@link #fetch} is what a consumer of
 * {@code speech.model-versions.v1} calls with the event's {@code artifact_uri} and
 * {@code artifact_sha256}: it returns a local file whose bytes were checked against the digest while
 * they were copied, or refuses.
 */
public interface ModelStore {

    /** A stored artifact: its content address and the URI consumers fetch it from. */
    record Stored(String sha256, String uri, long bytes) {
    }

    /** Stores the file's bytes under their sha-256. */
    Stored put(Path file) throws IOException;

    /** The URI an artifact with this digest has in this store. */
    String uriOf(String sha256);

    /** Whether this store holds the artifact. */
    boolean contains(String sha256);

    /**
     * A local copy of the artifact at {@code uri}, verified to hash to {@code sha256}.
     *
     * @throws ArtifactVerificationException when it cannot be read or its digest differs (nothing is kept)
     */
    Path fetch(String uri, String sha256) throws ArtifactVerificationException;

    /** Deletes the artifact (retention); true if it existed. */
    boolean delete(String sha256) throws IOException;

    /** Digests of every artifact held. */
    Set<String> list() throws IOException;
}
