package org.speechalign.feedback;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Map;

/**
 * Starts the feedback-service in its own application context (environment {@value #ENVIRONMENT},
 * configuration {@code application-feedback.yml}), so several services can run in one JVM.
 */
@OpenAPIDefinition(info = @Info(
        title = FeedbackService.NAME,
        version = "${service.version}",
        description = "The HTTP front door of the SpeechAlign platform for people's judgements of syntheses: ratings (1–5) and "
                + "A/B comparisons, published on Kafka (speech.ratings.v1, speech.comparisons.v1) before the answer, and the "
                + "erasure of a rater's data. JSON is snake_case with ISO-8601 timestamps; every refusal is "
                + "{error, message, errors?} and writes nothing. Keys: `./speechalign keys create --name N --role ingest|admin`."))
@SecurityScheme(name = ApiSchemas.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "`Authorization: Bearer <key>`: an API key from `./speechalign keys create` (stored as sha-256). The roles "
                + "an operation needs are listed in its security requirement: ingest for ratings and comparisons, admin for erasure.")
public final class FeedbackService {

    public static final String NAME = "feedback-service";
    public static final String ENVIRONMENT = "feedback";
    public static final int DEFAULT_PORT = 8081;

    private FeedbackService() {
    }

    /** Starts the context and its HTTP server; {@code properties} override the configuration. */
    public static ApplicationContext start(Map<String, Object> properties) {
        ApplicationContext ctx = ApplicationContext.builder()
                .environments(ENVIRONMENT)
                .properties(properties)
                .banner(false)
                .start();
        try {
            ctx.getBean(EmbeddedServer.class).start();
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
        return ctx;
    }

    /** The URL the context's HTTP server answers on. */
    public static String url(ApplicationContext ctx) {
        return ctx.getBean(EmbeddedServer.class).getURL().toString();
    }

    /** {@code java -cp … org.speechalign.feedback.FeedbackService}: configuration from the environment. */
    public static void main(String[] args) {
        ApplicationContext ctx = start(Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(ctx::close, "feedback-service-stop"));
        System.out.println(NAME + " " + url(ctx));
    }
}
