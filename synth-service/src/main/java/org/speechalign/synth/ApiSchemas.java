package org.speechalign.synth;

import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies the HTTP API answers with, for the generated OpenAPI document only: the
 * controller writes these shapes as maps. Property names become snake_case in the document
 * ({@code openapi.properties}); the request is the controller's own {@code SynthesizeRequest}.
 */
final class ApiSchemas {

    /** The security scheme's name in the document. */
    static final String BEARER = "bearer-key";
    /**
     * The errors' media type on an operation producing audio/wav: Micronaut OpenAPI replaces a
     * content's exact "application/json" by the operation's produces types, so the (equivalent)
     * charset form keeps the document true: errors are JSON there too.
     */
    static final String JSON_BESIDE_WAV = "application/json; charset=utf-8";

    private ApiSchemas() {
    }

    @Schema(name = "SynthesizeResponse", description = "The syntheses, each already acknowledged by Kafka on speech.synthesis.v1.")
    record SynthesizeResponse(
            @Schema(description = "The model version that spoke.", requiredMode = RequiredMode.REQUIRED) String modelVersion,
            @Schema(description = "sha-256 of that version's artifact.", requiredMode = RequiredMode.REQUIRED) String modelSha256,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<SynthesisOut> syntheses) {
    }

    @Schema(name = "Synthesis", description = "One sample.")
    record SynthesisOut(
            @Schema(description = "Id to rate and compare (feedback-service).", requiredMode = RequiredMode.REQUIRED) String synthesisId,
            @Schema(description = "The golden utterance with the same text and speaker, if any.", nullable = true,
                    requiredMode = RequiredMode.REQUIRED) String utteranceId,
            @Schema(description = "The seed this sample was drawn with.", requiredMode = RequiredMode.REQUIRED) long seed,
            @Schema(description = "Codec frames (50 per second).", requiredMode = RequiredMode.REQUIRED) int frames,
            @Schema(requiredMode = RequiredMode.REQUIRED) double seconds,
            @Schema(description = "GET it (same key) for the WAV.", requiredMode = RequiredMode.REQUIRED,
                    example = "/v1/syntheses/3f2a…/audio.wav") String audioUrl,
            @Schema(description = "The phones spoken (flite front end).", requiredMode = RequiredMode.REQUIRED) List<String> phones,
            @Schema(description = "Codec tokens: one row per codebook, one column per frame.", requiredMode = RequiredMode.REQUIRED)
            List<List<Integer>> tokens) {
    }

    @Schema(name = "Models", description = "What this instance serves and what the registry holds for its line. serving is null "
            + "before the first promotion; last_refused is absent when this instance never refused an artifact.")
    record Models(
            @Schema(requiredMode = RequiredMode.REQUIRED) String modelLine,
            @Nullable Serving serving,
            @Nullable Refused lastRefused,
            @Schema(description = "The version the registry says serves.", nullable = true, requiredMode = RequiredMode.REQUIRED)
            String registryServing,
            @Schema(description = "The line's 50 most recent versions.", requiredMode = RequiredMode.REQUIRED) List<ModelVersionOut> registry) {
    }

    @Schema(name = "Serving", description = "The version this instance serves, since when, and its speakers.")
    record Serving(String version, String artifactSha256,
                   @Schema(format = "date-time", requiredMode = RequiredMode.REQUIRED) String loadedAt, List<String> speakers) {
    }

    @Schema(name = "Refused", description = "A promoted artifact this instance refused (bad digest, unreadable, failed smoke test).")
    record Refused(String version, String artifactUri, String reason,
                   @Schema(format = "date-time", requiredMode = RequiredMode.REQUIRED) String at) {
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

    @Schema(name = "FieldError", description = "One problem, naming the JSON field (text, speaker, samples, … or (body)).")
    record FieldErrorBody(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "speaker") String field,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "unknown speaker 'x' (one of slt, rms)") String message) {
    }

    @Schema(name = "Error", description = "Every refusal.")
    record ErrorBody(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"unauthorized", "forbidden", "unsupported_media_type",
                "invalid_request", "not_found", "no_model", "unavailable"}) String error,
            @Schema(requiredMode = RequiredMode.REQUIRED) String message,
            @Schema(description = "400: every field at fault.") List<FieldErrorBody> errors) {
    }

    @Schema(name = "Health", description = "UP only when Kafka, PostgreSQL and a loaded model are.")
    record Health(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"UP", "DOWN"}) String status,
            @Schema(description = "UP, or DOWN: reason.", requiredMode = RequiredMode.REQUIRED) String kafka,
            @Schema(description = "UP, or DOWN: reason.", requiredMode = RequiredMode.REQUIRED) String postgres,
            @Schema(description = "UP, or DOWN: no model loaded.", requiredMode = RequiredMode.REQUIRED) String model,
            @Schema(description = "The serving version, when one is loaded.") String modelVersion) {
    }
}
