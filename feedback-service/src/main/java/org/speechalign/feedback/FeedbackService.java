package org.speechalign.feedback;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/**
 * Starts the feedback-service in its own application context (environment {@value #ENVIRONMENT},
 * configuration {@code application-feedback.yml}), so several services can run in one JVM.
 */
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
