package org.speechalign.trainer;

import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the admin and dashboard APIs, for the generated OpenAPI document only: the
 * controllers read and write these shapes as maps. Property names become snake_case in the
 * document ({@code openapi.properties}).
 */
final class ApiSchemas {

    /** The security scheme's name in the document. */
    static final String BEARER = "bearer-key";

    private ApiSchemas() {
    }

    @Schema(name = "ModelVersion", description = "A row of the model registry (model_versions); every key is present.")
    record ModelVersionOut(
            String version, String modelLine,
            @Schema(nullable = true, requiredMode = RequiredMode.REQUIRED) String parentVersion,
            @Schema(allowableValues = {"candidate", "promoted", "rejected", "rolled_back"}, requiredMode = RequiredMode.REQUIRED) String status,
            String artifactUri, String artifactSha256,
            @Schema(description = "Gate and training measures.", requiredMode = RequiredMode.REQUIRED) Map<String, Double> metrics,
            @Schema(nullable = true, requiredMode = RequiredMode.REQUIRED) String batchId,
            @Schema(format = "date-time", requiredMode = RequiredMode.REQUIRED) String createdAt,
            @Schema(format = "date-time", nullable = true, requiredMode = RequiredMode.REQUIRED,
                    description = "Set once retention deleted the artifact.") String artifactDeletedAt) {
    }

    @Schema(name = "Models", description = "The line's registry; serving is null when no version serves.")
    record Models(
            @Schema(requiredMode = RequiredMode.REQUIRED) String modelLine,
            @Nullable ModelVersionOut serving,
            @Schema(description = "Where POST /v1/models/rollback without to_version goes.", nullable = true,
                    requiredMode = RequiredMode.REQUIRED) String rollbackTarget,
            @Schema(description = "The line's 100 most recent versions.", requiredMode = RequiredMode.REQUIRED) List<ModelVersionOut> versions) {
    }

    @Schema(name = "ModelEvent", description = "An audit row of model_events; every key is present.")
    record Event(
            long eventId, String version,
            @Schema(description = "What happened.", example = "promoted", requiredMode = RequiredMode.REQUIRED) String action,
            @Schema(nullable = true, requiredMode = RequiredMode.REQUIRED) String fromVersion,
            @Schema(description = "The key's name, or the worker.", requiredMode = RequiredMode.REQUIRED) String actor,
            @Schema(nullable = true, requiredMode = RequiredMode.REQUIRED) String reason,
            @Schema(description = "Gate results, api_key, …", nullable = true, requiredMode = RequiredMode.REQUIRED) Map<String, Object> details,
            @Schema(format = "date-time", requiredMode = RequiredMode.REQUIRED) String at,
            @Schema(format = "date-time", nullable = true, requiredMode = RequiredMode.REQUIRED,
                    description = "When the outbox published it on speech.model-versions.v1.") String publishedAt) {
    }

    @Schema(name = "PromoteRequest", description = "Optional body.")
    record PromoteRequest(@Schema(description = "Audited; default \"operator promotion\".", maxLength = 1000) String reason) {
    }

    @Schema(name = "Promoted")
    record Promoted(
            @Schema(requiredMode = RequiredMode.REQUIRED) String promoted,
            @Schema(description = "false when it already served.", requiredMode = RequiredMode.REQUIRED) boolean changed,
            @Schema(description = "What serves now.", nullable = true, requiredMode = RequiredMode.REQUIRED) String serving) {
    }

    @Schema(name = "RollbackRequest", description = "Optional body.")
    record RollbackRequest(
            @Schema(description = "The version to serve again; default the most recent earlier serving version still promoted.",
                    maxLength = 1000) String toVersion,
            @Schema(description = "Audited.", maxLength = 1000) String reason) {
    }

    @Schema(name = "RolledBack")
    record RolledBack(
            @Schema(requiredMode = RequiredMode.REQUIRED) String modelLine,
            @Schema(description = "Now rolled_back.", requiredMode = RequiredMode.REQUIRED) String fromVersion,
            @Schema(description = "Serves again.", requiredMode = RequiredMode.REQUIRED) String toVersion) {
    }

    @Schema(name = "Collected", description = "What retention deleted now.")
    record Collected(
            @Schema(requiredMode = RequiredMode.REQUIRED) List<String> deletedVersions,
            @Schema(description = "Unregistered artifact files.", requiredMode = RequiredMode.REQUIRED) List<String> deletedOrphans,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<String> keptVersions) {
    }

    @Schema(name = "FieldError", description = "One problem, naming the JSON field (reason, to_version, or (body)).")
    record FieldErrorBody(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "reason") String field,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "must be a string of at most 1000 characters") String message) {
    }

    @Schema(name = "Error", description = "Every refusal.")
    record ErrorBody(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"unauthorized", "forbidden", "invalid_request", "conflict",
                "unavailable", "internal"}) String error,
            @Schema(requiredMode = RequiredMode.REQUIRED) String message,
            @Schema(description = "400: the field at fault.") List<FieldErrorBody> errors) {
    }

    @Schema(name = "Health", description = "UP only when Kafka and PostgreSQL answer.")
    record Health(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"UP", "DOWN"}) String status,
            @Schema(description = "UP, or DOWN: reason.", requiredMode = RequiredMode.REQUIRED) String kafka,
            @Schema(description = "UP, or DOWN: reason.", requiredMode = RequiredMode.REQUIRED) String postgres,
            @Schema(description = "Whether this worker is training a batch now.", requiredMode = RequiredMode.REQUIRED) boolean training) {
    }

    @Schema(name = "DashboardSummary", description = "Rows of the documented views (README: the same SQL works in Grafana and psql); "
            + "timestamps ISO-8601, jsonb as JSON.")
    record Summary(
            String modelLine,
            @Schema(description = "View ratings_by_model_version_over_time.") List<Map<String, Object>> ratingsOverTime,
            @Schema(description = "View ratings_by_model_version.") List<Map<String, Object>> ratingsByVersion,
            @Schema(description = "View win_rate_vs_parent_ratings.") List<Map<String, Object>> winRatesRatings,
            @Schema(description = "View win_rate_vs_parent_comparisons.") List<Map<String, Object>> winRatesComparisons,
            @Schema(description = "View preference_pairs_by_source_and_version.") List<Map<String, Object>> pairsBySource,
            @Schema(description = "View training_metrics_per_batch, 20 most recent.") List<Map<String, Object>> batches,
            @Schema(description = "training_metrics of the 10 most recent batches (last attempt).") List<Map<String, Object>> trainingCurves,
            @Schema(description = "View model_registry of this line.") List<Map<String, Object>> registry,
            @Schema(description = "View model_serving_history of this line.") List<Map<String, Object>> servingHistory,
            @Schema(description = "The 12 most recent syntheses with their mean rating.") List<Map<String, Object>> recentSyntheses) {
    }

    @Schema(name = "Unavailable")
    record Unavailable(@Schema(example = "unavailable") String error, String message) {
    }
}
