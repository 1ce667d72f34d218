package org.speechalign.launcher;

import io.micronaut.context.ApplicationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.speechalign.feedback.FeedbackService;
import org.speechalign.synth.SynthService;
import org.speechalign.trainer.TrainerService;

/**
 * The platform's services as the launcher runs them: one Micronaut application context each,
 * started in this order and stopped in reverse. Adding synth-service, pref-builder or
 * trainer-worker is one line in {@link #ALL}.
 */
final class Services {

    /**
     * @param name        printed name
     * @param portOption  configuration key of its HTTP port
     * @param defaultPort fixed default port in embedded mode
     * @param start       starts its context from property overrides
     * @param url         the URL the started context answers on
     */
    record Service(String name, String portOption, int defaultPort,
                   Function<Map<String, Object>, ApplicationContext> start,
                   Function<ApplicationContext, String> url) {
    }

    static final List<Service> ALL = List.of(
            new Service(FeedbackService.NAME, "micronaut.server.port", FeedbackService.DEFAULT_PORT,
                    FeedbackService::start, FeedbackService::url),
            new Service(SynthService.NAME, "micronaut.server.port", SynthService.DEFAULT_PORT, SynthService::start, SynthService::url),
            new Service(TrainerService.NAME, "micronaut.server.port", TrainerService.DEFAULT_PORT, TrainerService::start, TrainerService::url));

    record Running(Service service, ApplicationContext context) {
        String url() {
            return service.url().apply(context);
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
                running.get(i).context().close();
            } catch (RuntimeException e) {
                System.err.println("speechalign: stopping " + running.get(i).service().name() + ": " + e.getMessage());
            }
        }
    }
}
