package org.speechalign.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
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

        /**
         * Exactly {@code a}, {@code b} or {@code tie}: Jackson's own enum reading would also take
         * {@code " a"} (it trims), a silent coercion the contract refuses.
         */
        @JsonCreator
        public static Winner fromWire(String wire) {
            if (wire == null) {
                return null;
            }
            return switch (wire) {
                case "a" -> A;
                case "b" -> B;
                case "tie" -> TIE;
                default -> throw new IllegalArgumentException("must be one of a, b, tie");
            };
        }
    }

    public Comparison withCreatedAt(Instant at) {
        return new Comparison(comparisonId, synthesisA, synthesisB, winner, raterId, at);
    }
}
