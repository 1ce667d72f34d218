package org.speechalign.feedback;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The refusals Micronaut answers itself — no such route (404), a method the route does not take
 * (405), a body over {@code micronaut.server.max-request-size} (413), an unexpected failure (500)
 * — get the API's own body, {@code {error, message}}, like every refusal of the controller,
 * instead of Micronaut's {@code {_links, _embedded, message}}, and are counted in
 * {@code feedback.requests} by status like the controller's answers.
 */
@Singleton
@Replaces(JsonErrorResponseBodyProvider.class)
final class FrameworkErrors implements JsonErrorResponseBodyProvider<Map<String, Object>> {

    private final MeterRegistry meters;

    FrameworkErrors(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Map<String, Object> body(ErrorContext context, HttpResponse<?> response) {
        meters.counter(FeedbackController.REQUESTS, "status", Integer.toString(response.code())).increment();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error(response.code(), response.reason()));
        body.put("message", context.getErrors().stream().map(Error::getMessage).findFirst().orElse(response.reason()));
        return body;
    }

    static String error(int status, String reason) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 500 -> "internal_error";
            case 503 -> "unavailable";
            default -> reason == null ? "http_" + status : reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        };
    }
}
