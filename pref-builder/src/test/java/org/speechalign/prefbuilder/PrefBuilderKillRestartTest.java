package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.speechalign.prefbuilder.Events.T0;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;

/** pref-builder as its own process, killed with SIGKILL mid-stream and restarted: nothing lost, nothing duplicated. */
class PrefBuilderKillRestartTest {

    /**
     * Generous: a deadline, not a wait. The child JVM starts, migrates and rebalances on a machine
     * that may be running the rest of the reactor's tests beside it.
     */
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Test
    void killedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
        int n = 300;
        int threshold = 25;
        try (Harness h = new Harness("kill")) {
            PrefBuilderConfig cfg = h.config("child", PairingPolicy.DEFAULTS, BatchPolicy.DEFAULTS);
            PrefBuilderApp.ensureTopics(cfg);
            Process child = startChild(h, cfg, threshold, "first");
            // Every send is checked: a failed input send used to go unnoticed, and the test then waited out
            // its deadline for pairs whose inputs never arrived.
            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                try {
                    for (int i = 0; i < n; i++) {
                        GoldenUtterance g = Events.golden("k-u" + i, "kill sentence " + i, GoldenUtterance.Split.TRAIN);
                        Synthesis s = Events.selfPlay("k-s" + i, g, T0.plusMillis(i));
                        sent.add(h.producer.send(new ProducerRecord<>(h.topics.golden(), g.utteranceId(), Json.write(g))));
                        sent.add(h.producer.send(new ProducerRecord<>(h.topics.synthesis(), s.synthesisId(), Json.write(s))));
                        if (i % 20 == 19) {
                            h.producer.flush();
                            for (Future<RecordMetadata> f : sent) {
                                f.get(); // done after flush: throws the send's error, if any
                            }
                            sent.clear();
                            Thread.sleep(100); // a steady trickle, so the kill lands mid-stream
                        }
                    }
                    h.producer.flush();
                    for (Future<RecordMetadata> f : sent) {
                        f.get();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    sendFailure.set(e);
                }
            }, "kill-test-producer");
            producer.start();
            try {
                Harness.await(TIMEOUT, "the first pairs in PostgreSQL", () -> {
                    alive(child, h, "first", sendFailure);
                    return h.count("SELECT count(*) FROM preference_pairs") >= 60;
                });
            } finally {
                child.destroyForcibly(); // the kill itself, and no stray process when the wait fails
            } // SIGKILL: no clean shutdown, open transactions abandoned
            child.waitFor(30, TimeUnit.SECONDS);
            long atKill = h.count("SELECT count(*) FROM preference_pairs");
            Process second = startChild(h, cfg, threshold, "second");
            try {
                producer.join(TIMEOUT.toMillis());
                Harness.await(TIMEOUT, n + " pairs and " + n / threshold + " announced batches after the restart", () -> {
                    alive(second, h, "second", sendFailure);
                    return h.count("SELECT count(*) FROM preference_pairs") == n
                            && h.count("SELECT count(*) FROM training_batches b JOIN training_batch_announcements a USING (batch_id)") == n / threshold;
                });
                assertEquals(n, h.count("SELECT count(*) FROM syntheses"));
                assertEquals(n, h.count("SELECT count(*) FROM golden_utterances"));
                assertEquals(0, h.count("SELECT count(*) FROM preference_pairs WHERE batch_id IS NULL"));
                assertEquals(n, h.count("SELECT count(DISTINCT rejected_synthesis_id) FROM preference_pairs"));
                List<ConsumerRecord<String, byte[]>> pairs = h.readAll(h.topics.preferences());
                Set<String> keys = new HashSet<>();
                pairs.forEach(r -> keys.add(r.key()));
                assertEquals(n, keys.size(), "every pair on the topic, committed");
                List<ConsumerRecord<String, byte[]>> batches = h.readAll(h.topics.trainingBatches());
                Set<String> batchIds = new HashSet<>();
                batches.forEach(r -> batchIds.add(r.key()));
                assertEquals(new HashSet<>(h.strings("SELECT batch_id FROM training_batches")), batchIds);
                System.out.printf("kill/restart: %d pairs in PostgreSQL at the kill; %d pair records on the topic for %d pairs; "
                        + "%d batch events for %d batches%n", atKill, pairs.size(), n, batches.size(), n / threshold);
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
                if (second.isAlive()) {
                    second.destroyForcibly();
                }
            }
        }
    }

    /** Fails at once (not at the deadline) when the child died or an input send failed, with the child's log. */
    static void alive(Process child, Harness h, String label, AtomicReference<Throwable> sendFailure) throws Exception {
        Throwable f = sendFailure.get();
        if (f != null) {
            throw new AssertionError("an input send failed", f);
        }
        if (!child.isAlive()) {
            Path log = h.stateRoot.resolve("child-" + label + ".log");
            List<String> lines = Files.readAllLines(log);
            throw new AssertionError("the " + label + " pref-builder process exited with " + child.exitValue() + "; its log ends:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
    }

    static Process startChild(Harness h, PrefBuilderConfig cfg, int threshold, String label) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), PrefBuilderApp.class.getName());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", cfg.bootstrapServers());
        env.put("DATABASE_URL", cfg.jdbcUrl());
        env.put("DATABASE_USER", cfg.dbUser());
        env.put("DATABASE_PASSWORD", "");
        env.put("PREF_BUILDER_APPLICATION_ID", cfg.applicationId());
        env.put("PREF_BUILDER_SINK_GROUP_ID", cfg.sinkGroupId());
        env.put("PREF_BUILDER_TOPIC_PREFIX", cfg.topics().prefix());
        env.put("PREF_BUILDER_STATE_DIR", cfg.stateDir().toString());
        env.put("PREF_BUILDER_INSTANCE_ID", "child");
        env.put("PREF_BUILDER_HTTP_PORT", "0"); // a free port: /health is not under test here
        env.put("BATCH_THRESHOLD", Integer.toString(threshold));
        env.put("BATCH_CHECK_INTERVAL", "PT0.1S");
        File log = h.stateRoot.resolve("child-" + label + ".log").toFile();
        return pb.redirectErrorStream(true).redirectOutput(log).start();
    }
}
