package org.speechalign.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * {@code speech.comparisons.v1}, key {@code comparison_id}: an A/B choice between two syntheses.
 *
 * @param comparisonId the comparison's id; the first accepted payload wins
 * @param synthesisA   first synthesis shown
 * @param synthesisB   second synthesis shown (must differ from A)
 * @param winner       a, b or tie
 * @param raterId      who chose
 * @param createdAt    when; filled with the time of receipt when absent over HTTP
 */
public record Comparison(String comparisonId, String synthesisA, String synthesisB, Winner winner,
                         String raterId, Instant createdAt) {

    public enum Winner {
        @JsonProperty("a") A,
        @JsonProperty("b") B,
        @JsonProperty("tie") TIE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Comparison withCreatedAt(Instant at) {
        return new Comparison(comparisonId, synthesisA, synthesisB, winner, raterId, at);
    }
}
