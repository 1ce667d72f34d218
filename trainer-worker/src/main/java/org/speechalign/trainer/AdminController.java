package org.speechalign.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.speechalign.contracts.FieldError;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.loop.auth.KeyAuthenticator;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.registry.OutboxRelay;
import org.speechalign.loop.registry.RegistryException;
import org.speechalign.loop.registry.Retention;

/**
 * Admin API of the model registry (admin role): list, promote, roll back, collect artifacts. Each
 * change is one transaction with its audit row in {@code model_events} (actor = the key's name),
 * and is published on {@code speech.model-versions.v1} before the call answers.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "registry", description = "Admin API of the model registry (role admin): every change is one transaction with its "
        + "model_events audit row (actor = the key's name), published on speech.model-versions.v1 before the answer.")
final class AdminController {

    private final KeyAuthenticator auth;
    private final ModelRegistry registry;
    private final OutboxRelay relay;
    private final Retention retention;
    private final TrainerSettings settings;
    private final DataSource dataSource;
    private final Admin admin;
    private final TrainerWorker worker;

    AdminController(KeyAuthenticator auth, ModelRegistry registry, OutboxRelay relay, Retention retention, TrainerSettings settings,
                    DataSource dataSource, Admin admin, TrainerWorker worker) {
        this.auth = auth;
        this.registry = registry;
        this.relay = relay;
        this.retention = retention;
        this.settings = settings;
        this.dataSource = dataSource;
        this.admin = admin;
        this.worker = worker;
    }

    @Operation(summary = "The line's versions",
            description = "Serving version, default rollback target, the line's versions with metrics. Role `admin`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "admin")
    @ApiResponse(responseCode = "200", description = "The registry.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Models.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the admin role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "500", description = "An unexpected failure (the message says which).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL or Kafka is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Get(uri = "/v1/models", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> models(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        return handle(() -> {
            auth.require(authorization, ApiKeys.Role.ADMIN);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model_line", settings.modelLine());
            m.put("serving", registry.serving(settings.modelLine()).map(ModelRegistry::describe).orElse(null));
            m.put("rollback_target", registry.previousServing(settings.modelLine()).orElse(null));
            m.put("versions", registry.list(settings.modelLine(), 100).stream().map(ModelRegistry::describe).toList());
            return HttpResponse.ok(Json.writeString(m));
        });
    }

    @Operation(summary = "A version's audit trail",
            description = "Its model_events rows, oldest first (empty for an unknown version). Role `admin`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "admin")
    @ApiResponse(responseCode = "200", description = "The events.", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            array = @ArraySchema(schema = @Schema(implementation = ApiSchemas.Event.class))))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the admin role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "500", description = "An unexpected failure (the message says which).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL or Kafka is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Get(uri = "/v1/models/{version}/events", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> events(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                @Parameter(description = "A version of this worker's model line.") @PathVariable("version") String version) {
        return handle(() -> {
            auth.require(authorization, ApiKeys.Role.ADMIN);
            return HttpResponse.ok(Json.writeString(registry.events(version)));
        });
    }

    @Operation(summary = "Promote a version", description = "Makes it serve: any version of the line whose artifact is kept; "
            + "overriding the gate is audited. Every synth-service instance hot-swaps to it. Role `admin`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "admin")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiSchemas.PromoteRequest.class)))
    @ApiResponse(responseCode = "200", description = "It serves.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Promoted.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object, or reason is not a string of at most 1,000 "
            + "characters (`errors` names it).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the admin role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "The registry refuses: no such version, or retention deleted its artifact.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "500", description = "An unexpected failure (the message says which).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL or Kafka is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Post(uri = "/v1/models/{version}/promote", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> promote(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                 @Parameter(description = "A version of this worker's model line.") @PathVariable("version") String version,
                                 @Parameter(hidden = true) @Nullable @Body byte[] body) {
        return handle(() -> {
            ApiKeys.ApiKey key = auth.require(authorization, ApiKeys.Role.ADMIN);
            String reason = field(body, "reason");
            boolean changed = registry.inTransaction(c -> registry.promote(c, version, key.name(), reason == null ? "operator promotion" : reason,
                    Map.of("api_key", key.keyId())));
            relay.publishPending();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("promoted", version);
            m.put("changed", changed);
            m.put("serving", registry.serving(settings.modelLine()).map(ModelRegistry.Version::version).orElse(null));
            return HttpResponse.ok(Json.writeString(m));
        });
    }

    @Operation(summary = "Roll back", description = "The serving version becomes rolled_back; the target (default: the most recent "
            + "earlier serving version still promoted) serves again; events rolled_back + promoted. Role `admin`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "admin")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiSchemas.RollbackRequest.class)))
    @ApiResponse(responseCode = "200", description = "Rolled back.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.RolledBack.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object, or to_version / reason is not a string of at most "
            + "1,000 characters (`errors` names it).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the admin role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "The registry refuses: nothing serves, no earlier serving version, the target "
            + "already serves, "
            + "is unknown, belongs to another line, or retention deleted its artifact.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "500", description = "An unexpected failure (the message says which).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL or Kafka is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Post(uri = "/v1/models/rollback", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> rollback(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                  @Parameter(hidden = true) @Nullable @Body byte[] body) {
        return handle(() -> {
            ApiKeys.ApiKey key = auth.require(authorization, ApiKeys.Role.ADMIN);
            String to = field(body, "to_version");
            String reason = field(body, "reason");
            ModelRegistry.Rollback rb = registry.rollback(settings.modelLine(), to, key.name(), reason);
            relay.publishPending();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model_line", rb.modelLine());
            m.put("from_version", rb.from());
            m.put("to_version", rb.to());
            return HttpResponse.ok(Json.writeString(m));
        });
    }

    @Operation(summary = "Run retention now", description = "Deletes the artifacts the retention rule no longer keeps (README: "
            + "Retention rule), auditing a deleted event each. Role `admin`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "admin")
    @ApiResponse(responseCode = "200", description = "What was deleted and kept.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Collected.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the admin role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "500", description = "An unexpected failure (the message says which).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL or Kafka is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Post(uri = "/v1/artifacts/gc", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> gc(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        return handle(() -> {
            ApiKeys.ApiKey key = auth.require(authorization, ApiKeys.Role.ADMIN);
            Retention.Result r = retention.collect(key.name());
            relay.publishPending();
            return HttpResponse.ok(Json.writeString(Map.of("deleted_versions", r.deletedVersions(), "deleted_orphans", r.deletedOrphans(),
                    "kept_versions", r.kept())));
        });
    }

    @Operation(summary = "Readiness", description = "200 only when Kafka and PostgreSQL answer, else 503 naming the failing part; "
            + "`training` says whether a batch is being trained. No key.")
    @ApiResponse(responseCode = "200", description = "Up.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Health.class)))
    @ApiResponse(responseCode = "503", description = "Kafka or PostgreSQL is down.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Health.class)))
    @Get(uri = "/health", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        boolean up = true;
        try {
            up &= admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size() > 0;
            out.put("kafka", "UP");
        } catch (Exception e) {
            up = false;
            out.put("kafka", "DOWN: " + e.getClass().getSimpleName());
        }
        try (Connection c = dataSource.getConnection()) {
            boolean ok = c.isValid(2);
            up &= ok;
            out.put("postgres", ok ? "UP" : "DOWN");
        } catch (SQLException e) {
            up = false;
            out.put("postgres", "DOWN: " + e.getClass().getSimpleName());
        }
        out.put("training", worker.busy());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.putAll(out);
        return HttpResponse.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(Json.writeString(body))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private interface Action {
        HttpResponse<String> run() throws Exception;
    }

    private static HttpResponse<String> handle(Action a) {
        try {
            HttpResponse<String> r = a.run();
            return ((io.micronaut.http.MutableHttpResponse<String>) r).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (KeyAuthenticator.Refused r) {
            return error(r.status == 403 ? HttpStatus.FORBIDDEN : HttpStatus.UNAUTHORIZED, r.status == 403 ? "forbidden" : "unauthorized",
                    r.getMessage(), null);
        } catch (BadRequest e) {
            return error(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage(), List.of(e.error));
        } catch (RegistryException e) {
            return error(HttpStatus.CONFLICT, "conflict", e.getMessage(), null);
        } catch (SQLException e) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "PostgreSQL or Kafka: " + e.getMessage(), null);
        } catch (Exception e) {
            return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal", e.toString(), null);
        }
    }

    private static final class BadRequest extends Exception {
        final FieldError error;

        BadRequest(String field, String message) {
            super(field + ": " + message);
            error = new FieldError(field, message);
        }
    }

    /** An optional string field of an optional JSON object body. */
    private static String field(byte[] body, String name) throws BadRequest {
        if (body == null || body.length == 0 || new String(body).isBlank()) return null;
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new BadRequest("(body)", "malformed JSON");
        }
        if (!n.isObject()) throw new BadRequest("(body)", "must be a JSON object");
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual() || v.asText().length() > 1000) throw new BadRequest(name, "must be a string of at most 1000 characters");
        return v.asText();
    }

    private static HttpResponse<String> error(HttpStatus status, String error, String message, List<FieldError> errors) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("message", message);
        if (errors != null) m.put("errors", errors);
        var r = HttpResponse.<String>status(status).body(Json.writeString(m)).contentType(MediaType.APPLICATION_JSON_TYPE);
        if (status == HttpStatus.UNAUTHORIZED) r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return r;
    }
}
