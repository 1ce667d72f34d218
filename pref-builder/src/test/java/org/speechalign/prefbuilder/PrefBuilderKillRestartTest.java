package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.speechalign.prefbuilder.Events.T0;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;

/** pref-builder as its own process, killed with SIGKILL mid-stream and restarted: nothing lost, nothing duplicated. */
class PrefBuilderKillRestartTest {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void killedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
        int n = 300;
        int threshold = 25;
        try (Harness h = new Harness("kill")) {
            PrefBuilderConfig cfg = h.config("child", PairingPolicy.DEFAULTS, BatchPolicy.DEFAULTS);
            PrefBuilderApp.ensureTopics(cfg);
            Process child = startChild(h, cfg, threshold, "first");
            Thread producer = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    GoldenUtterance g = Events.golden("k-u" + i, "kill sentence " + i, GoldenUtterance.Split.TRAIN);
                    Synthesis s = Events.selfPlay("k-s" + i, g, T0.plusMillis(i));
                    h.producer.send(new ProducerRecord<>(h.topics.golden(), g.utteranceId(), Json.write(g)));
                    h.producer.send(new ProducerRecord<>(h.topics.synthesis(), s.synthesisId(), Json.write(s)));
                    if (i % 20 == 19) {
                        h.producer.flush();
                        try {
                            Thread.sleep(100); // a steady trickle, so the kill lands mid-stream
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                h.producer.flush();
            }, "kill-test-producer");
            producer.start();
            try {
                Harness.await(TIMEOUT, "the first pairs in PostgreSQL", () -> h.count("SELECT count(*) FROM preference_pairs") >= 60);
            } finally {
                child.destroyForcibly(); // the kill itself, and no stray process when the wait fails
            } // SIGKILL: no clean shutdown, open transactions abandoned
            child.waitFor(30, TimeUnit.SECONDS);
            long atKill = h.count("SELECT count(*) FROM preference_pairs");
            Process second = startChild(h, cfg, threshold, "second");
            try {
                producer.join(TIMEOUT.toMillis());
                Harness.await(TIMEOUT, n + " pairs and " + n / threshold + " announced batches after the restart", () ->
                        h.count("SELECT count(*) FROM preference_pairs") == n
                                && h.count("SELECT count(*) FROM training_batches b JOIN training_batch_announcements a USING (batch_id)") == n / threshold);
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
        env.put("BATCH_THRESHOLD", Integer.toString(threshold));
        env.put("BATCH_CHECK_INTERVAL", "PT0.1S");
        File log = h.stateRoot.resolve("child-" + label + ".log").toFile();
        return pb.redirectErrorStream(true).redirectOutput(log).start();
    }
}
