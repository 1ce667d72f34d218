package org.speechalign.synth;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Map;

/**
 * Starts the synth-service in its own application context (environment {@value #ENVIRONMENT},
 * configuration {@code application-synth.yml}), so several services can run in one JVM.
 */
@OpenAPIDefinition(info = @Info(
        title = SynthService.NAME,
        version = "${service.version}",
        description = "Serves the SpeechAlign platform's codec language model: text and speaker in, codec tokens and WAV audio out. "
                + "Every synthesis is published on Kafka (speech.synthesis.v1) before the answer, to be rated and paired into "
                + "preference data; promoted model versions are hot-swapped. JSON is snake_case; every refusal is "
                + "{error, message, errors?}. Keys: `./speechalign keys create --name N --role synthesize`."))
@SecurityScheme(name = ApiSchemas.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "`Authorization: Bearer <key>`: an API key from `./speechalign keys create` (stored as sha-256). Every "
                + "operation but /health needs the synthesize role, listed in its security requirement.")
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
