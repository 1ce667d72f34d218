package org.speechalign.feedback;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON bodies of the HTTP API, for the generated OpenAPI document only: the controller reads
 * the {@code contracts} records and writes these shapes as maps. Property names become snake_case
 * in the document ({@code openapi.properties}); {@code OpenApiDocumentTest} checks that the
 * request schemas list exactly the fields of the {@code contracts} records.
 */
final class ApiSchemas {

    /** The security scheme's name in the document. */
    static final String BEARER = "bearer-key";

    private ApiSchemas() {
    }

    @Schema(name = "Rating", description = "One person's score of one synthesis (topic speech.ratings.v1).")
    record RatingBody(
            @Schema(description = "The rating's id, chosen by the product; the first accepted payload wins.",
                    requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128, example = "r-1") String ratingId,
            @Schema(description = "The synthesis rated (may not have been seen yet).",
                    requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128, example = "syn-1") String synthesisId,
            @Schema(description = "Who rated: a pseudonymous id chosen by the product.",
                    requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128, example = "u-1") String raterId,
            @Schema(description = "1 (bad) … 5 (excellent); an integer, not a string.",
                    requiredMode = RequiredMode.REQUIRED, minimum = "1", maximum = "5", example = "4") Integer score,
            @Schema(description = "When the rating was given (ISO-8601); the time of receipt when absent.",
                    format = "date-time", example = "2026-03-01T10:00:00Z") Instant createdAt) {
    }

    /** The array form of the body (described in the request body: schema names on it would rename its items). */
    static final class RatingArray extends ArrayList<RatingBody> {
    }

    static final class ComparisonArray extends ArrayList<ComparisonBody> {
    }

    @Schema(name = "Comparison", description = "An A/B choice between two syntheses (topic speech.comparisons.v1).")
    record ComparisonBody(
            @Schema(description = "The comparison's id; the first accepted payload wins.",
                    requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128, example = "c-1") String comparisonId,
            @Schema(description = "First synthesis shown.",
                    requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128, example = "syn-1") String synthesisA,
            @Schema(description = "Second synthesis shown; must differ from synthesis_a.",
                    requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128, example = "syn-2") String synthesisB,
            @Schema(description = "Which one the rater preferred.", requiredMode = RequiredMode.REQUIRED,
                    allowableValues = {"a", "b", "tie"}, example = "a") String winner,
            @Schema(description = "Who chose.", requiredMode = RequiredMode.REQUIRED, minLength = 1, maxLength = 128,
                    example = "u-2") String raterId,
            @Schema(description = "When (ISO-8601); the time of receipt when absent.", format = "date-time") Instant createdAt) {
    }

    @Schema(name = "Accepted", description = "Every event was acknowledged by Kafka (acks=all).")
    record Accepted(
            @Schema(description = "Events of the request now on Kafka.", requiredMode = RequiredMode.REQUIRED) int accepted,
            @Schema(description = "Of those, ids already accepted with the same payload (stored once).",
                    requiredMode = RequiredMode.REQUIRED) int duplicates) {
    }

    @Schema(name = "Erased", description = "What the erasure deleted, in one audited transaction (table rater_erasures).")
    record Erased(
            @Schema(requiredMode = RequiredMode.REQUIRED) String raterId,
            @Schema(description = "The audit row's id.", requiredMode = RequiredMode.REQUIRED) long erasureId,
            @Schema(requiredMode = RequiredMode.REQUIRED) int ratingsDeleted,
            @Schema(requiredMode = RequiredMode.REQUIRED) int comparisonsDeleted,
            @Schema(requiredMode = RequiredMode.REQUIRED) int claimsDeleted,
            @Schema(description = "Unbatched comparison pairs.", requiredMode = RequiredMode.REQUIRED) int pairsDeleted) {
    }

    @Schema(name = "FieldError", description = "One problem, naming the JSON field: score, [3].rater_id, or (body).")
    record FieldErrorBody(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "[3].score") String field,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "must be an integer from 1 to 5") String message) {
    }

    @Schema(name = "Error", description = "Every refusal: nothing was written.")
    record ErrorBody(
            @Schema(description = "The class of refusal.", requiredMode = RequiredMode.REQUIRED,
                    allowableValues = {"unauthorized", "forbidden", "unsupported_media_type", "payload_too_large",
                        "invalid_request", "rate_limited", "conflict", "unavailable"}) String error,
            @Schema(description = "A readable explanation.", requiredMode = RequiredMode.REQUIRED) String message,
            @Schema(description = "400: every field at fault.") List<FieldErrorBody> errors,
            @Schema(description = "429: seconds to wait (also in Retry-After).") Long retryAfterSeconds,
            @Schema(description = "409: the ids already accepted with another payload.") List<String> ids) {
    }

    @Schema(name = "Health", description = "UP only when every component answers.")
    record Health(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"UP", "DOWN"}) String status,
            @Schema(description = "UP, or DOWN: reason.", requiredMode = RequiredMode.REQUIRED, example = "UP") String kafka,
            @Schema(description = "UP, or DOWN: reason.", requiredMode = RequiredMode.REQUIRED, example = "UP") String postgres) {
    }
}
