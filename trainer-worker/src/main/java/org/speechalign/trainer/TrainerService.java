package org.speechalign.trainer;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Map;

/** Starts the trainer-worker in its own application context (environment {@value #ENVIRONMENT}). */
@OpenAPIDefinition(info = @Info(
        title = TrainerService.NAME,
        version = "${service.version}",
        description = "The SpeechAlign platform's trainer: claims training batches, runs DPO, gates and publishes model versions. "
                + "Its HTTP API is the model registry's admin API (list, promote, roll back, collect artifacts; role admin) and the "
                + "dashboard with the read-only JSON it draws (no key). JSON is snake_case; every admin refusal is "
                + "{error, message, errors?}. Keys: `./speechalign keys create --name N --role admin`."))
@SecurityScheme(name = ApiSchemas.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "`Authorization: Bearer <key>`: an API key from `./speechalign keys create` (stored as sha-256). The admin API "
                + "needs the admin role, listed in each operation's security requirement; /health and the dashboard need no key.")
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
