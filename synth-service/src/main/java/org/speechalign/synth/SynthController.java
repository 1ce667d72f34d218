package org.speechalign.synth;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.speechalign.MissingDependencyException;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.contracts.FieldError;
import org.speechalign.contracts.InvalidEvent;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.loop.auth.KeyAuthenticator;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.registry.ModelRegistry;

/**
 * The HTTP API: {@code POST /v1/synthesize}, {@code GET /v1/syntheses/{id}/audio.wav},
 * {@code GET /v1/models}, {@code GET /health}. Every refusal is JSON {@code {error, message, errors?}};
 * 400s name the field.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "synthesis", description = "Speech from the serving model version; its audio; the versions.")
final class SynthController {

    /** The request body (snake_case JSON). */
    @Schema(name = "SynthesizeRequest")
    record SynthesizeRequest(
            @Schema(description = "What to say: 1 to synth.max-text-length (500) characters, no control characters besides "
                    + "newline and tab, something to say besides pauses.", requiredMode = RequiredMode.REQUIRED,
                    example = "Hello world.") String text,
            @Schema(description = "One of the serving model's speakers (GET /v1/models lists them).",
                    requiredMode = RequiredMode.REQUIRED, example = "slt") String speaker,
            @Schema(description = "Samples to draw: 1 to synth.max-samples (8).", minimum = "1", defaultValue = "1") Integer samples,
            @Schema(description = "0 (greedy) to synth.max-temperature (2.0); default synth.default-temperature.", minimum = "0")
            Double temperature,
            @Schema(description = "Non-negative; random when absent. Each synthesis answers the seed it was drawn with.",
                    minimum = "0") Long seed) {
    }

    static final class Refusal extends Exception {
        final HttpStatus status;
        final Map<String, Object> body = new LinkedHashMap<>();

        Refusal(HttpStatus status, String error, String message, List<FieldError> errors) {
            super(message, null, false, false);
            this.status = status;
            body.put("error", error);
            body.put("message", message);
            if (errors != null && !errors.isEmpty()) body.put("errors", errors);
        }
    }

    private final KeyAuthenticator auth;
    private final ServingModel serving;
    private final Synthesizer synthesizer;
    private final FrontEnd frontEnd;
    private final SynthesisPublisher publisher;
    private final SynthesisStore store;
    private final GoldenRepository golden;
    private final ModelRegistry registry;
    private final ModelLifecycle lifecycle;
    private final HealthCheck health;
    private final SynthSettings settings;
    private final MeterRegistry meters;
    private volatile Codec codec;

    SynthController(KeyAuthenticator auth, ServingModel serving, Synthesizer synthesizer, FrontEnd frontEnd, SynthesisPublisher publisher,
                    SynthesisStore store, GoldenRepository golden, ModelRegistry registry, ModelLifecycle lifecycle, HealthCheck health,
                    SynthSettings settings, MeterRegistry meters) {
        this.auth = auth;
        this.serving = serving;
        this.synthesizer = synthesizer;
        this.frontEnd = frontEnd;
        this.publisher = publisher;
        this.store = store;
        this.golden = golden;
        this.registry = registry;
        this.lifecycle = lifecycle;
        this.health = health;
        this.settings = settings;
        this.meters = meters;
    }

    @Operation(summary = "Synthesize speech",
            description = "The serving model speaks the text; every synthesis is published on speech.synthesis.v1 (acks=all) "
                    + "before the answer. Role `synthesize`. Text equal to a golden utterance's (same speaker) carries its utterance_id.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "synthesize")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = SynthesizeRequest.class)))
    @ApiResponse(responseCode = "200", description = "The syntheses.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ApiSchemas.SynthesizeResponse.class)))
    @ApiResponse(responseCode = "400", description = "Malformed JSON, wrong type, or a field out of its range (text, speaker, samples, "
            + "temperature, seed); `errors` names each field.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the synthesize role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "413", description = "Body over MICRONAUT_SERVER_MAX_REQUEST_SIZE (64 KB): refused by Micronaut itself, "
            + "with its own JSON error body (message, _embedded.errors).")
    @ApiResponse(responseCode = "415", description = "Content-Type is not application/json.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "No model version serves yet (`no_model`), or Kafka did not acknowledge, or "
            + "PostgreSQL or the codec is unavailable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Post(uri = "/v1/synthesize", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> synthesize(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                    @Parameter(hidden = true) @Nullable @Header(HttpHeaders.CONTENT_TYPE) String contentType,
                                    @Parameter(hidden = true) @Nullable @Body byte[] body) {
        Timer.Sample timer = Timer.start(meters);
        try {
            auth.require(authorization, ApiKeys.Role.SYNTHESIZE);
            if (contentType == null || !MediaType.of(contentType).getName().equalsIgnoreCase(MediaType.APPLICATION_JSON)) {
                throw new Refusal(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                        "Content-Type must be application/json, was " + (contentType == null ? "absent" : contentType), null);
            }
            SynthesizeRequest req;
            try {
                req = Json.read(body, SynthesizeRequest.class);
                if (req == null) throw new InvalidEvent("(body)", "must be a JSON object");
            } catch (InvalidEvent e) {
                throw new Refusal(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage(), e.errors());
            }
            try (ServingModel.Lease lease = serving.acquire()) {
                if (lease == null) {
                    throw new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "no_model", "no model version is serving yet on line "
                            + settings.modelLine(), null);
                }
                Synthesizer.Request r = validate(req, lease.model);
                List<Synthesis> out = synthesizer.synthesize(lease.model, List.of(r));
                publisher.publish(out);
                for (Synthesis s : out) store.put(s.synthesisId(), s.tokens());
                meters.counter("synth.syntheses", "origin", "product").increment(out.size());
                timer.stop(meters.timer("synth.synthesize.request"));
                return ok(response(lease.model, out));
            }
        } catch (Refusal r) {
            return refuse(r);
        } catch (KeyAuthenticator.Refused r) {
            return refuse(auth(r));
        } catch (SynthesisPublisher.Unavailable e) {
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage(), null));
        } catch (SQLException e) {
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "PostgreSQL: " + e.getMessage(), null));
        } catch (MissingDependencyException e) {
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage(), null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "interrupted", null));
        }
    }

    private Synthesizer.Request validate(SynthesizeRequest req, ServingModel.Loaded model) throws Refusal, SQLException {
        List<FieldError> errors = new ArrayList<>();
        String text = req.text() == null ? null : req.text().strip();
        if (text == null || text.isEmpty()) {
            errors.add(new FieldError("text", "is required and must not be empty"));
        } else if (text.length() > settings.maxTextLength()) {
            errors.add(new FieldError("text", "must be at most " + settings.maxTextLength() + " characters, was " + text.length()));
        } else if (text.chars().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n' && ch != '\t')) {
            errors.add(new FieldError("text", "must not contain control characters"));
        }
        List<String> speakers = model.lm.config().speakers();
        if (req.speaker() == null || req.speaker().isBlank()) {
            errors.add(new FieldError("speaker", "is required (one of " + String.join(", ", speakers) + ")"));
        } else if (!speakers.contains(req.speaker())) {
            errors.add(new FieldError("speaker", "unknown speaker '" + abbreviate(req.speaker()) + "' (one of " + String.join(", ", speakers) + ")"));
        }
        int samples = req.samples() == null ? 1 : req.samples();
        if (samples < 1 || samples > settings.maxSamples()) {
            errors.add(new FieldError("samples", "must be 1 to " + settings.maxSamples() + ", was " + samples));
        }
        double temperature = req.temperature() == null ? settings.defaultTemperature() : req.temperature();
        if (!(temperature >= 0 && temperature <= settings.maxTemperature())) {
            errors.add(new FieldError("temperature", "must be 0 to " + settings.maxTemperature() + " (0 = greedy), was " + temperature));
        }
        long seed = req.seed() == null ? ThreadLocalRandom.current().nextLong(1L << 48) : req.seed();
        if (seed < 0) errors.add(new FieldError("seed", "must be a non-negative integer"));
        if (!errors.isEmpty()) throw invalid(errors);
        List<String> phones = frontEnd.phones(text);
        if (phones.stream().noneMatch(p -> !p.equals("pau"))) {
            throw invalid(List.of(new FieldError("text", "has nothing to say (no phones besides pauses)")));
        }
        String utteranceId = golden.match(text, req.speaker()).orElse(null);
        return new Synthesizer.Request(text, req.speaker(), phones, samples, temperature, seed, Synthesis.Origin.PRODUCT, utteranceId);
    }

    private static Refusal invalid(List<FieldError> errors) {
        String message = errors.stream().map(e -> e.field() + ": " + e.message()).reduce((a, b) -> a + "; " + b).orElse("invalid");
        return new Refusal(HttpStatus.BAD_REQUEST, "invalid_request", message, errors);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private Map<String, Object> response(ServingModel.Loaded model, List<Synthesis> out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_version", model.version);
        m.put("model_sha256", model.sha256);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Synthesis s : out) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("synthesis_id", s.synthesisId());
            e.put("utterance_id", s.utteranceId());
            e.put("seed", s.sampling().seed());
            e.put("frames", s.tokens()[0].length);
            e.put("seconds", s.tokens()[0].length / 50.0);
            e.put("audio_url", "/v1/syntheses/" + s.synthesisId() + "/audio.wav");
            e.put("phones", s.phones());
            e.put("tokens", s.tokens());
            list.add(e);
        }
        m.put("syntheses", list);
        return m;
    }

    @Operation(summary = "A synthesis as audio",
            description = "8 kHz 16-bit mono WAV decoded by codec2 3200 from the synthesis's tokens (this instance's recent syntheses "
                    + "from memory, any other from the syntheses table). Role `synthesize`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "synthesize")
    @ApiResponse(responseCode = "200", description = "The WAV.",
            content = @Content(mediaType = "audio/wav", schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "400", description = "id over 128 characters (field `id`).",
            content = @Content(mediaType = ApiSchemas.JSON_BESIDE_WAV, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = ApiSchemas.JSON_BESIDE_WAV, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the synthesize role.",
            content = @Content(mediaType = ApiSchemas.JSON_BESIDE_WAV, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "No synthesis with that id.",
            content = @Content(mediaType = ApiSchemas.JSON_BESIDE_WAV, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL or the codec (libcodec2) is unavailable.",
            content = @Content(mediaType = ApiSchemas.JSON_BESIDE_WAV, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Get(uri = "/v1/syntheses/{id}/audio.wav", produces = "audio/wav")
    HttpResponse<?> audio(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                          @Parameter(description = "synthesis_id from POST /v1/synthesize.") @PathVariable("id") String id) {
        try {
            auth.require(authorization, ApiKeys.Role.SYNTHESIZE);
            if (id == null || id.length() > 128) throw invalid(List.of(new FieldError("id", "must be 1 to 128 characters")));
            Optional<int[][]> tokens = store.tokens(id);
            if (tokens.isEmpty()) throw new Refusal(HttpStatus.NOT_FOUND, "not_found", "no synthesis " + id, null);
            Codec c = codec();
            byte[] wav = Wav.toBytes(Synthesizer.audio(c, tokens.get()), c.sampleRate());
            return HttpResponse.ok(wav).contentType("audio/wav");
        } catch (Refusal r) {
            return refuse(r);
        } catch (KeyAuthenticator.Refused r) {
            return refuse(auth(r));
        } catch (SQLException e) {
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "PostgreSQL: " + e.getMessage(), null));
        } catch (MissingDependencyException | UnsatisfiedLinkError e) {
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "codec: " + e.getMessage(), null));
        }
    }

    private Codec codec() {
        Codec c = codec;
        if (c == null) {
            synchronized (this) {
                if (codec == null) codec = new Codec2Codec();
                c = codec;
            }
        }
        return c;
    }

    @Operation(summary = "Model versions",
            description = "The version this instance serves (and since when), the last artifact it refused, the registry's serving "
                    + "version and the line's versions. Role `synthesize`.")
    @SecurityRequirement(name = ApiSchemas.BEARER, scopes = "synthesize")
    @ApiResponse(responseCode = "200", description = "The versions.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Models.class)))
    @ApiResponse(responseCode = "401", description = "Missing, malformed, unknown or revoked key.",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.WWW_AUTHENTICATE, description = "Bearer",
                    schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "The key lacks the synthesize role.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @Get(uri = "/v1/models", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> models(@Parameter(hidden = true) @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        try {
            auth.require(authorization, ApiKeys.Role.SYNTHESIZE);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model_line", settings.modelLine());
            ServingModel.Loaded l = serving.peek();
            if (l != null) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("version", l.version);
                s.put("artifact_sha256", l.sha256);
                s.put("loaded_at", l.since.toString());
                s.put("speakers", l.lm.config().speakers());
                m.put("serving", s);
            } else {
                m.put("serving", null);
            }
            ModelLifecycle.Refusal r = lifecycle.lastRefusal();
            if (r != null) {
                m.put("last_refused", Map.of("version", r.version(), "artifact_uri", String.valueOf(r.artifactUri()),
                        "reason", String.valueOf(r.reason()), "at", r.at().toString()));
            }
            m.put("registry_serving", registry.serving(settings.modelLine()).map(ModelRegistry.Version::version).orElse(null));
            m.put("registry", registry.list(settings.modelLine(), 50).stream().map(ModelRegistry::describe).toList());
            return ok(m);
        } catch (KeyAuthenticator.Refused r) {
            return refuse(auth(r));
        } catch (SQLException e) {
            return refuse(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "PostgreSQL: " + e.getMessage(), null));
        }
    }

    @Operation(summary = "Readiness",
            description = "200 only when Kafka, PostgreSQL and a loaded model are up, else 503 naming the failing part. No key.")
    @ApiResponse(responseCode = "200", description = "Up.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Health.class)))
    @ApiResponse(responseCode = "503", description = "Kafka, PostgreSQL or the model is down.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Health.class)))
    @Get(uri = "/health", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> health() {
        Map<String, String> status = health.check();
        Map<String, Object> out = new LinkedHashMap<>();
        boolean up = HealthCheck.up(status);
        out.put("status", up ? "UP" : "DOWN");
        out.putAll(status);
        ServingModel.Loaded l = serving.peek();
        if (l != null) out.put("model_version", l.version);
        return HttpResponse.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(Json.writeString(out))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private static Refusal auth(KeyAuthenticator.Refused r) {
        return r.status == 403 ? new Refusal(HttpStatus.FORBIDDEN, "forbidden", r.getMessage(), null)
                : new Refusal(HttpStatus.UNAUTHORIZED, "unauthorized", r.getMessage(), null);
    }

    private HttpResponse<String> ok(Object body) {
        meters.counter("synth.requests", "status", "200").increment();
        return HttpResponse.ok(Json.writeString(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private HttpResponse<String> refuse(Refusal r) {
        meters.counter("synth.requests", "status", Integer.toString(r.status.getCode())).increment();
        MutableHttpResponse<String> resp = HttpResponse.<String>status(r.status).body(Json.writeString(r.body))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
        if (r.status == HttpStatus.UNAUTHORIZED) resp.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return resp;
    }
}
