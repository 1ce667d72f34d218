package org.speechalign.trainer;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/** Starts the trainer-worker in its own application context (environment {@value #ENVIRONMENT}). */
public final class TrainerService {

    public static final String NAME = "trainer-worker";
    public static final String ENVIRONMENT = "trainer";
    public static final int DEFAULT_PORT = 8083;

    private TrainerService() {
    }

    public static ApplicationContext start(Map<String, Object> properties) {
        ApplicationContext ctx = ApplicationContext.builder().environments(ENVIRONMENT).properties(properties).banner(false).start();
        try {
            ctx.getBean(TrainerWorker.class);
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

    public static void main(String[] args) {
        ApplicationContext ctx = start(Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(ctx::close, "trainer-worker-stop"));
        System.out.println(NAME + " " + url(ctx));
    }
}
