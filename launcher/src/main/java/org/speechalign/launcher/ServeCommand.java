package org.speechalign.launcher;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.feedback.FeedbackService;
import org.speechalign.prefbuilder.PrefBuilderService;
import org.speechalign.synth.SynthService;
import org.speechalign.trainer.TrainerService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code speechalign serve [--embedded]}: runs every service until Ctrl-C / SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the services, one Micronaut context each, until Ctrl-C or SIGTERM.",
                "--embedded also starts a Kafka broker and PostgreSQL under SPEECHALIGN_HOME (default .speechalign/);",
                "without it, KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, DATABASE_USER and DATABASE_PASSWORD name external ones."})
final class ServeCommand implements Callable<Integer> {

    static final int DEFAULT_KAFKA_PORT = 19092;
    static final int DEFAULT_POSTGRES_PORT = 15432;

    @Option(names = "--embedded", description = "start an in-process Kafka broker and PostgreSQL")
    boolean embedded;

    @Option(names = "--home", description = "embedded data directory (default: $SPEECHALIGN_HOME or .speechalign)")
    Path home;

    @Option(names = "--kafka-port", description = "embedded broker port (default ${DEFAULT-VALUE})")
    int kafkaPort = DEFAULT_KAFKA_PORT;

    @Option(names = "--postgres-port", description = "embedded PostgreSQL port (default ${DEFAULT-VALUE})")
    int postgresPort = DEFAULT_POSTGRES_PORT;

    @Option(names = "--feedback-port", description = "feedback-service HTTP port (default ${DEFAULT-VALUE})")
    int feedbackPort = FeedbackService.DEFAULT_PORT;

    @Option(names = "--synth-port", description = "synth-service HTTP port (default ${DEFAULT-VALUE})")
    int synthPort = SynthService.DEFAULT_PORT;

    @Option(names = "--pref-builder-port", description = "pref-builder /health and /prometheus port (default ${DEFAULT-VALUE})")
    int prefBuilderPort = PrefBuilderService.DEFAULT_PORT;

    @Option(names = "--trainer-port", description = "trainer-worker HTTP port (default ${DEFAULT-VALUE})")
    int trainerPort = TrainerService.DEFAULT_PORT;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> shared = new HashMap<>();
        EmbeddedRuntime runtime = null;
        if (embedded) {
            Path dir = home != null ? home.toAbsolutePath() : EmbeddedRuntime.defaultHome();
            try {
                runtime = EmbeddedRuntime.start(dir, kafkaPort, postgresPort);
            } catch (java.io.IOException e) {
                throw new UserFacingException("cannot start the embedded runtime under " + dir + ": " + e.getMessage());
            }
            if (!runtime.postgres().isOwner()) {
                System.err.println("speechalign: PostgreSQL under " + dir + " was already running; using it");
            }
            System.err.println("kafka " + runtime.kafka().bootstrapServers());
            System.err.println("postgres " + runtime.postgres().jdbcUrl() + " (user " + runtime.postgres().user() + ")");
            shared.put("kafka.bootstrap-servers", runtime.kafka().bootstrapServers());
            shared.put("database.url", runtime.postgres().jdbcUrl());
            shared.put("database.user", runtime.postgres().user());
            shared.put("database.password", runtime.postgres().password());
            if (System.getenv("PREF_BUILDER_STATE_DIR") == null) shared.put(PrefBuilderService.STATE_DIR_PROPERTY, dir.resolve("pref-builder").toString());
            if (System.getenv("MODEL_STORE") == null) shared.put("model.store", dir.resolve("models").resolve("store").toString());
        } else if (System.getenv("KAFKA_BOOTSTRAP_SERVERS") == null || System.getenv("DATABASE_URL") == null) {
            throw new UserFacingException("serve needs KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL (or use serve --embedded)");
        }
        // the pretrained base (./speechalign pretrain) becomes the line's first version if it serves none
        java.nio.file.Path baseRef = ModelHome.models().resolve("base.ref");
        if (java.nio.file.Files.exists(baseRef)) {
            String base = ModelHome.resolve("base").toAbsolutePath().toString();
            shared.putIfAbsent("synth.base-model", base);
            shared.putIfAbsent("trainer.base-model", base);
        }
        List<Services.Running> running;
        try {
            running = Services.startAll(shared, Map.of(FeedbackService.NAME, feedbackPort,
                    SynthService.NAME, synthPort, PrefBuilderService.NAME, prefBuilderPort, TrainerService.NAME, trainerPort));
        } catch (RuntimeException e) {
            if (runtime != null) {
                runtime.close();
            }
            throw new UserFacingException("a service failed to start: " + rootMessage(e));
        }
        for (Services.Running r : running) {
            System.out.println(r.service().name() + " " + r.url());
        }
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedRuntime toStop = runtime;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("speechalign: stopping");
            Services.stopAll(running);
            if (toStop != null) {
                toStop.close();
            }
            stopped.countDown();
        }, "speechalign-stop"));
        stopped.await();
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
