package org.speechalign.launcher;

import io.micronaut.context.ApplicationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.speechalign.feedback.FeedbackService;
import org.speechalign.prefbuilder.PrefBuilderApp;
import org.speechalign.prefbuilder.PrefBuilderService;
import org.speechalign.synth.SynthService;
import org.speechalign.trainer.TrainerService;

/**
 * The platform's services as the launcher runs them, started in this order and stopped in reverse.
 * A service is anything that starts from property overrides and can say its URL and stop: the
 * HTTP services are one Micronaut application context each; pref-builder is a plain Kafka Streams
 * application with a small HTTP server of its own ({@code /health}, {@code /prometheus}).
 */
final class Services {

    /** One started service. */
    interface Instance {
        /** The URL it answers on. */
        String url();

        /** Its Micronaut context (null when it is not a Micronaut service). */
        ApplicationContext context();

        /** Stops it cleanly. */
        void stop();
    }

    /**
     * @param name        printed name
     * @param portOption  configuration key of its HTTP port
     * @param defaultPort fixed default port in embedded mode
     * @param start       starts it from property overrides
     * @param micronaut   whether it is a Micronaut application context (configured by its application yml)
     */
    record Service(String name, String portOption, int defaultPort, Function<Map<String, Object>, Instance> start,
                   boolean micronaut) {

        static Service micronaut(String name, int defaultPort, Function<Map<String, Object>, ApplicationContext> start,
                                 Function<ApplicationContext, String> url) {
            return new Service(name, "micronaut.server.port", defaultPort, props -> {
                ApplicationContext ctx = start.apply(props);
                try {
                    requireOwnConfiguration(name, ctx);
                } catch (IllegalStateException e) {
                    ctx.close();
                    throw e;
                }
                return new Instance() {
                    @Override
                    public String url() {
                        return url.apply(ctx);
                    }

                    @Override
                    public ApplicationContext context() {
                        return ctx;
                    }

                    @Override
                    public void stop() {
                        ctx.close();
                    }
                };
            }, true);
        }

        /**
         * Each service's {@code application-<env>.yml} names the application; when it was not read (Micronaut
         * skips yml silently without snakeyaml on the classpath) the service would run on defaults: its
         * management endpoints on, no body limit of its own. Refuse to run like that.
         */
        static void requireOwnConfiguration(String name, ApplicationContext ctx) {
            String configured = ctx.getProperty("micronaut.application.name", String.class).orElse(null);
            if (!name.equals(configured)) {
                throw new IllegalStateException(name + ": its application yml was not read (micronaut.application.name is "
                        + configured + "); is org.yaml:snakeyaml on the runtime classpath?");
            }
        }

        static Service prefBuilder() {
            return new Service(PrefBuilderService.NAME, PrefBuilderService.PORT_PROPERTY, PrefBuilderService.DEFAULT_PORT, props -> {
                PrefBuilderApp app = PrefBuilderService.start(props);
                return new Instance() {
                    @Override
                    public String url() {
                        return app.url();
                    }

                    @Override
                    public ApplicationContext context() {
                        return null;
                    }

                    @Override
                    public void stop() {
                        app.close();
                    }
                };
            }, false);
        }
    }

    static final List<Service> ALL = List.of(
            Service.micronaut(FeedbackService.NAME, FeedbackService.DEFAULT_PORT, FeedbackService::start, FeedbackService::url),
            Service.micronaut(SynthService.NAME, SynthService.DEFAULT_PORT, SynthService::start, SynthService::url),
            Service.prefBuilder(),
            Service.micronaut(TrainerService.NAME, TrainerService.DEFAULT_PORT, TrainerService::start, TrainerService::url));

    record Running(Service service, Instance instance) {
        String url() {
            return instance.url();
        }

        ApplicationContext context() {
            return instance.context();
        }
    }

    private Services() {
    }

    /** Starts every service with the shared properties plus its port; stops the started ones on failure. */
    static List<Running> startAll(Map<String, Object> shared, Map<String, Integer> ports) {
        List<Running> running = new ArrayList<>();
        try {
            for (Service s : ALL) {
                Map<String, Object> props = new HashMap<>(shared);
                Integer port = ports.get(s.name());
                if (port != null) {
                    props.put(s.portOption(), port);
                }
                running.add(new Running(s, s.start().apply(props)));
            }
            return running;
        } catch (RuntimeException e) {
            stopAll(running);
            throw e;
        }
    }

    static void stopAll(List<Running> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).instance().stop();
            } catch (RuntimeException e) {
                System.err.println("speechalign: stopping " + running.get(i).service().name() + ": " + e.getMessage());
            }
        }
    }
}
