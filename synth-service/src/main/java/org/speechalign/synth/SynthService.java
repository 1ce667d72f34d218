package org.speechalign.synth;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/**
 * Starts the synth-service in its own application context (environment {@value #ENVIRONMENT},
 * configuration {@code application-synth.yml}), so several services can run in one JVM.
 */
public final class SynthService {

    public static final String NAME = "synth-service";
    public static final String ENVIRONMENT = "synth";
    public static final int DEFAULT_PORT = 8082;

    private SynthService() {
    }

    public static ApplicationContext start(Map<String, Object> properties) {
        ApplicationContext ctx = ApplicationContext.builder().environments(ENVIRONMENT).properties(properties).banner(false).start();
        try {
            ctx.getBean(ModelLifecycle.class);
            ctx.getBean(EmbeddedServer.class).start();
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
        return ctx;
    }

    public static String url(ApplicationContext ctx) {
        return ctx.getBean(EmbeddedServer.class).getURL().toString();
    }

    /** {@code java -cp … org.speechalign.synth.SynthService}: configuration from the environment. */
    public static void main(String[] args) {
        ApplicationContext ctx = start(Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(ctx::close, "synth-service-stop"));
        System.out.println(NAME + " " + url(ctx));
    }
}
