package org.speechalign.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * {@code speech.model-versions.v1}, key {@code model_line}: a model version changed status.
 *
 * @param modelLine      the line of models this version belongs to (the record key; {@code default} when there is one line)
 * @param version        version name
 * @param parentVersion  version it was trained from (reference model of its DPO run), null for a base model
 * @param artifactUri    where to fetch the artifact
 * @param artifactSha256 sha-256 of the artifact file (also its name)
 * @param status         candidate, promoted, rejected or rolled_back
 * @param metrics        evaluation metrics (e.g. wer, sim, gate interval)
 * @param createdAt      when this status was reached
 */
public record ModelVersion(String modelLine, String version, String parentVersion, String artifactUri,
                           String artifactSha256, Status status, Map<String, Double> metrics, Instant createdAt) {

    public enum Status {
        @JsonProperty("candidate") CANDIDATE,
        @JsonProperty("promoted") PROMOTED,
        @JsonProperty("rejected") REJECTED,
        @JsonProperty("rolled_back") ROLLED_BACK;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
