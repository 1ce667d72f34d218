package org.speechalign.feedback;

import com.fasterxml.jackson.databind.JavaType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.inject.Named;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.FieldError;
import org.speechalign.contracts.InvalidEvent;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Validation;
import org.speechalign.contracts.auth.ApiKeys;

/**
 * The HTTP API. Checks in this order, writing nothing on any refusal: 401/403 (key and role),
 * 415 (content type), 413 (body size, array length), 400 (JSON and field validation, naming the
 * field), 429 (key's rate), 409 (id seen with another payload); then 202 once Kafka acknowledged.
 * POSTs run on the HTTP event loop while the key is in the {@link Authenticator}'s cache and
 * the body is small (the checks are then brief computation) and move to the blocking-I/O pool
 * when the key must be looked up in PostgreSQL or a large array parsed; claiming and sending is handed to {@link FeedbackIngest} and the
 * response is written when its future completes, so no thread waits for Kafka or the claim.
 */
@Controller
@Tag(name = "feedback", description = "Ratings and A/B comparisons from products; rater erasure.")
final class FeedbackController {

    private static final JavaType RATING_LIST = Json.MAPPER.getTypeFactory().constructCollectionType(List.class, Rating.class);
    private static final JavaType COMPARISON_LIST = Json.MAPPER.getTypeFactory().constructCollectionType(List.class, Comparison.class);

    /** Bodies up to this size are parsed on the event loop; larger ones (arrays) on the blocking pool. */
    private static final int INLINE_BODY_BYTES = 8192;

    /** Counter of answers, tagged with their status (also the refusals Micronaut answers itself, {@link FrameworkErrors}). */
    static final String REQUESTS = "feedback.requests";

    private final Authenticator auth;
    private final RateLimiter rates;
    private final FeedbackIngest ingest;
    private final RaterErasure erasure;
    private final HealthCheck health;
    private final FeedbackSettings settings;
    private final MeterRegistry meters;
    private final Executor blocking;
    /** Answers by status; the 202s' counter is looked up once, it is on every accepted request's path. */
    private final Counter acceptedRequests;

    FeedbackController(Authenticator auth, RateLimiter rates, FeedbackIngest ingest, RaterErasure erasure,
                       HealthCheck health, FeedbackSettings settings, MeterRegistry meters,
                       @Named(TaskExecutors.BLOCKING) Executor blocking) {
        this.auth = auth;
        this.rates = rates;
        this.ingest = ingest;
        this.erasure = erasure;
        this.health = health;
        this.settings = settings;
        this.meters = meters;
        this.blocking = blocking;
        this.acceptedRequests = meters.counter(REQUESTS, "status", "202");
    }

    /** A refusal with its status and JSON body. */
    static final class Refusal extends Exception {
        final HttpStatus status;
        final Map<String, Object> body;

        Refusal(HttpStatus status, String error, String message, List<FieldError> errors) {
            super(message, null, false, false);
            this.status = status;
            this.body = new LinkedHashMap<>();
            body.put("error", error);
            body.put("message", message);
            if (errors != null && !errors.isEmpty()) {
                body.put("errors", errors);
            }
        }
    }

    @Operation(summary = "Ingest ratings",
            description = "One object or an array of up to 1,000 (FEEDBACK_MAX_BATCH_SIZE). Role `ingest`. Checks in order, "
                    + "each refusal writing nothing: 401, 403, 415, 413, 400, 429, 409; then 202 once Kafka acknowledged every event "
                    + "(acks=all). The same id with the same payload is accepted again and counted in `duplicates`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "ingest")
    @RequestBody(required = true, description = "One rating, or a non-empty array of at most 1,000 "
            + "(FEEDBACK_MAX_BATCH_SIZE) accepted all or none; errors name the element, e.g. `[3].score`.", content = @Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(oneOf = {ApiSchemas.RatingBody.class, ApiSchemas.RatingArray.class})))
    @ApiResponse(responseCode = "202", description = "Every event acknowledged by Kafka.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Accepted.class)))
    @ApiResponse(responseCode = "400", description = "Malformed JSON or not UTF-8, wrong type, out of range, missing, repeated or unknown "
            + "field, id over 128 characters, bad timestamp, empty array; `errors` names each field, e.g. `[3].score`.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the ingest role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "An id already accepted with another payload (listed in `ids`); the whole request is "
            + "refused.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "413", description = "More than 1,000 events (FEEDBACK_MAX_BATCH_SIZE), or a body over "
            + "MICRONAUT_SERVER_MAX_REQUEST_SIZE (1 MB): that one is refused by Micronaut itself, before the key is checked "
            + "(same error body).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "415", description = "Content-Type is not application/json.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "The key is over its rate (events/s); retry after `retry_after_seconds`.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.RETRY_AFTER, description = "Seconds to wait.",
                    schema = @Schema(type = "integer")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "Kafka did not acknowledge in time, or PostgreSQL is unreachable; retrying the same "
            + "payload loses nothing.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Post(uri = "/v1/ratings", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> ratings(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                                    @Parameter(hidden = true) @Nullable @Header(HttpHeaders.CONTENT_TYPE) String contentType,
                                                    @Parameter(hidden = true) @Nullable @Body byte[] body) {
        return accept(authorization, contentType, body, Rating.class, RATING_LIST, Validation::rating,
                (r, now) -> r.createdAt() == null ? r.withCreatedAt(now) : r, ingest::ratings);
    }

    @Operation(summary = "Ingest comparisons",
            description = "One object or an array of up to 1,000 (FEEDBACK_MAX_BATCH_SIZE). Role `ingest`. Checks in order, "
                    + "each refusal writing nothing: 401, 403, 415, 413, 400, 429, 409; then 202 once Kafka acknowledged every event "
                    + "(acks=all). The same id with the same payload is accepted again and counted in `duplicates`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "ingest")
    @RequestBody(required = true, description = "One comparison, or a non-empty array of at most 1,000 "
            + "(FEEDBACK_MAX_BATCH_SIZE) accepted all or none; errors name the element, e.g. `[0].winner`.", content = @Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(oneOf = {ApiSchemas.ComparisonBody.class, ApiSchemas.ComparisonArray.class})))
    @ApiResponse(responseCode = "202", description = "Every event acknowledged by Kafka.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Accepted.class)))
    @ApiResponse(responseCode = "400", description = "Malformed JSON or not UTF-8, wrong type, out of range, missing, repeated or unknown "
            + "field, id over 128 characters, bad timestamp, empty array; `errors` names each field, e.g. `[3].score`.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the ingest role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "An id already accepted with another payload (listed in `ids`); the whole request is "
            + "refused.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "413", description = "More than 1,000 events (FEEDBACK_MAX_BATCH_SIZE), or a body over "
            + "MICRONAUT_SERVER_MAX_REQUEST_SIZE (1 MB): that one is refused by Micronaut itself, before the key is checked "
            + "(same error body).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "415", description = "Content-Type is not application/json.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "The key is over its rate (events/s); retry after `retry_after_seconds`.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.RETRY_AFTER, description = "Seconds to wait.",
                    schema = @Schema(type = "integer")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "Kafka did not acknowledge in time, or PostgreSQL is unreachable; retrying the same "
            + "payload loses nothing.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Post(uri = "/v1/comparisons", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> comparisons(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                                        @Parameter(hidden = true) @Nullable @Header(HttpHeaders.CONTENT_TYPE) String contentType,
                                                        @Parameter(hidden = true) @Nullable @Body byte[] body) {
        return accept(authorization, contentType, body, Comparison.class, COMPARISON_LIST, Validation::comparison,
                (c, now) -> c.createdAt() == null ? c.withCreatedAt(now) : c, ingest::comparisons);
    }

    @Operation(summary = "Erase a rater",
            description = "Deletes the rater's ratings, comparisons, claims and unbatched comparison pairs in one transaction, "
                    + "audited in rater_erasures (actor = the key's name). Role `admin`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "admin")
    @ApiResponse(responseCode = "200", description = "What was deleted.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Erased.class)))
    @ApiResponse(responseCode = "400", description = "rater_id is blank, over 128 characters, or holds a control character or an unpaired "
            + "surrogate (field `rater_id`).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the admin role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Delete(uri = "/v1/raters/{raterId}", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    CompletableFuture<HttpResponse<String>> eraseRater(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                                       @Parameter(description = "The rater's pseudonymous id.") @PathVariable("raterId") String raterId) {
        return guarded(() -> {
            ApiKeys.ApiKey key = auth.require(authorization, ApiKeys.Role.ADMIN);
            List<FieldError> errors = new ArrayList<>();
            String problem = Validation.idProblem(raterId);
            if (problem != null) {
                // the rules of the ids it erases (a NUL was a 503 from PostgreSQL, a control character an audited erasure)
                errors.add(new FieldError("rater_id", problem));
                throw new Refusal(HttpStatus.BAD_REQUEST, "invalid_request", "rater_id: " + problem, errors);
            }
            RaterErasure.Erased erased = erasure.erase(raterId, key.name());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rater_id", raterId);
            out.put("erasure_id", erased.erasureId());
            out.put("ratings_deleted", erased.ratings());
            out.put("comparisons_deleted", erased.comparisons());
            out.put("claims_deleted", erased.claims());
            out.put("pairs_deleted", erased.pairs());
            return CompletableFuture.completedFuture(
                    HttpResponse.ok(Json.writeString(out)).contentType(MediaType.APPLICATION_JSON_TYPE));
        });
    }

    @Operation(summary = "Readiness", description = "200 only when Kafka and PostgreSQL answer, else 503 naming the failing part. No key.")
    @ApiResponse(responseCode = "200", description = "Up.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Health.class)))
    @ApiResponse(responseCode = "503", description = "Kafka or PostgreSQL is down.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Health.class)))
    @Get(uri = "/health", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<String> health() {
        Map<String, String> status = health.check();
        Map<String, Object> out = new LinkedHashMap<>();
        boolean up = HealthCheck.up(status);
        out.put("status", up ? "UP" : "DOWN");
        out.putAll(status);
        return HttpResponse.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(Json.writeString(out)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** A request's work; any refusal it throws becomes the matching error response. */
    @FunctionalInterface
    private interface Work {
        CompletableFuture<HttpResponse<String>> run() throws Refusal, Authenticator.Refused, SQLException;
    }

    /** The one place refusals of every endpoint become responses (each writes nothing). */
    private CompletableFuture<HttpResponse<String>> guarded(Work work) {
        Refusal refusal;
        try {
            return work.run();
        } catch (Refusal r) {
            refusal = r;
        } catch (Authenticator.Refused r) {
            refusal = switch (r.refusal) {
                case MISSING, UNKNOWN -> new Refusal(HttpStatus.UNAUTHORIZED, "unauthorized", r.getMessage(), null);
                case FORBIDDEN -> new Refusal(HttpStatus.FORBIDDEN, "forbidden", r.getMessage(), null);
            };
        } catch (SQLException e) {
            refusal = unavailable("PostgreSQL: " + e.getMessage());
        }
        return CompletableFuture.completedFuture(refuse(refusal));
    }

    /** POST of ratings or comparisons: key and role, then parse and validate, rate, then claim and send. */
    private <T> CompletableFuture<HttpResponse<String>> accept(String authorization, String contentType, byte[] body,
                                                               Class<T> type, JavaType listType,
                                                               Function<T, List<FieldError>> validate,
                                                               BiFunction<T, Instant, T> stamp,
                                                               Function<List<T>, CompletableFuture<FeedbackIngest.Result>> send) {
        Work work = () -> {
            ApiKeys.ApiKey key = auth.require(authorization, ApiKeys.Role.INGEST);
            List<T> events = parse(contentType, body, type, listType, validate);
            Instant now = Instant.now();
            events = events.stream().map(e -> stamp.apply(e, now)).toList();
            limit(key, events.size());
            return send.apply(events).thenApply(this::answer);
        };
        if (auth.cached(authorization) && (body == null || body.length <= INLINE_BODY_BYTES)) {
            return guarded(work);
        }
        return CompletableFuture.supplyAsync(() -> guarded(work), blocking).thenCompose(f -> f);
    }

    private static Refusal unavailable(String reason) {
        return new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", reason, null);
    }

    private <T> List<T> parse(String contentType, byte[] body, Class<T> type, JavaType listType,
                              Function<T, List<FieldError>> validate) throws Refusal {
        if (contentType == null || !isJson(contentType)) {
            throw new Refusal(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Content-Type must be application/json, was " + (contentType == null ? "absent" : contentType), null);
        }
        int first = firstNonBlank(body);
        try {
            List<T> events;
            boolean array = first >= 0 && body[first] == '[';
            if (array) {
                events = Json.readStrict(body, listType);
                if (events.size() > settings.maxBatchSize()) {
                    throw new Refusal(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                            "at most " + settings.maxBatchSize() + " events per request, got " + events.size(), null);
                }
                if (events.isEmpty()) {
                    throw new InvalidEvent("(body)", "empty array");
                }
            } else {
                events = new ArrayList<>();
                events.add(Json.readStrict(body, Json.MAPPER.constructType(type)));
            }
            List<FieldError> errors = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                T e = events.get(i);
                String prefix = array ? "[" + i + "]" : "";
                if (e == null) {
                    errors.add(new FieldError(array ? prefix : "(body)", "must be a JSON object"));
                    continue;
                }
                for (FieldError fe : validate.apply(e)) {
                    errors.add(new FieldError(array ? prefix + "." + fe.field() : fe.field(), fe.message()));
                }
            }
            if (!errors.isEmpty()) {
                throw new InvalidEvent(errors);
            }
            return events;
        } catch (InvalidEvent e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage(), e.errors());
        }
    }

    /** Whether the Content-Type names application/json (parameters such as charset=utf-8 aside); unparsable is not. */
    private static boolean isJson(String contentType) {
        try {
            return MediaType.of(contentType).getName().equalsIgnoreCase(MediaType.APPLICATION_JSON);
        } catch (IllegalArgumentException e) {
            return false; // "" or ";;;": was a 500 from Micronaut's parser
        }
    }

    private static int firstNonBlank(byte[] body) {
        if (body == null) {
            return -1;
        }
        int from = body.length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF ? 3 : 0; // UTF-8 BOM
        for (int i = from; i < body.length; i++) {
            if (!Character.isWhitespace(body[i])) {
                return i;
            }
        }
        return -1;
    }

    private void limit(ApiKeys.ApiKey key, int events) throws Refusal {
        int rate = key.rateLimitPerSecond() != null ? key.rateLimitPerSecond() : settings.defaultRateLimit();
        long wait = rates.tryAcquire(key.keyId(), events, rate);
        if (wait > 0) {
            Refusal r = new Refusal(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "key '" + key.name() + "' exceeds its rate of " + rate + " events/s; retry after " + wait + " s", null);
            r.body.put("retry_after_seconds", wait);
            throw r;
        }
    }

    private HttpResponse<String> answer(FeedbackIngest.Result result) {
        if (result instanceof FeedbackIngest.Accepted a) {
            acceptedRequests.increment();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("accepted", a.accepted());
            out.put("duplicates", a.duplicates());
            return HttpResponse.accepted().body(Json.writeString(out)).contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        if (result instanceof FeedbackIngest.Conflict c) {
            Refusal r = new Refusal(HttpStatus.CONFLICT, "conflict",
                    "ids already accepted with another payload: " + String.join(", ", c.ids().subList(0, Math.min(10, c.ids().size()))),
                    null);
            r.body.put("ids", c.ids());
            return refuse(r);
        }
        FeedbackIngest.Unavailable u = (FeedbackIngest.Unavailable) result;
        return refuse(unavailable(u.reason() + "; nothing is lost by retrying the same payload"));
    }

    private HttpResponse<String> refuse(Refusal r) {
        meters.counter(REQUESTS, "status", Integer.toString(r.status.getCode())).increment();
        MutableHttpResponse<String> resp = HttpResponse.<String>status(r.status)
                .body(Json.writeString(r.body)).contentType(MediaType.APPLICATION_JSON_TYPE);
        if (r.status == HttpStatus.UNAUTHORIZED) {
            resp.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (r.body.get("retry_after_seconds") != null) {
            resp.header(HttpHeaders.RETRY_AFTER, r.body.get("retry_after_seconds").toString());
        }
        return resp;
    }
}
