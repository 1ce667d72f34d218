package org.speechalign.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.contracts.CodecSpec;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Topics;

/**
 * {@code speechalign serve --embedded} as a user runs it, in a child JVM: every service prints its
 * line (pref-builder included), a golden utterance and a self-play synthesis of it become a
 * golden_vs_synthetic row in PostgreSQL, pref-builder's /health answers UP, and SIGTERM stops
 * everything cleanly (pref-builder logs its stop, the shutdown hook finishes).
 */
class ServeEmbeddedTest {

    static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Test
    void serveEmbeddedRunsPrefBuilder(@TempDir Path home) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseSerialGC", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.log.org.speechalign.prefbuilder=info", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--embedded", "--home", home.toString(),
                "--kafka-port=0", "--postgres-port=0", "--feedback-port=-1", "--synth-port=-1", "--trainer-port=-1",
                "--pref-builder-port=0");
        pb.environment().put("SPEECHALIGN_HOME", home.toString());
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("DJL_OFFLINE", "true");
        Path stderr = home.resolve("serve.err");
        pb.redirectError(stderr.toFile());
        Process serve = pb.start();
        Map<String, String> lines = new ConcurrentHashMap<>();
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    out.add(l);
                    String[] parts = l.split(" ", 2);
                    if (parts.length == 2) {
                        lines.put(parts[0], parts[1]);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "serve-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            await("every service's line", () -> !serve.isAlive() || lines.keySet().containsAll(
                    Services.ALL.stream().map(Services.Service::name).toList()));
            assertTrue(serve.isAlive(), "serve exited early: " + out + "\n" + Files.readString(stderr));
            String err = Files.readString(stderr);
            Matcher kafka = Pattern.compile("(?m)^kafka (\\S+)$").matcher(err);
            Matcher pg = Pattern.compile("(?m)^postgres (\\S+) \\(user (\\S+)\\)$").matcher(err);
            assertTrue(kafka.find() && pg.find(), "serve names its broker and database: " + err);
            String prefUrl = lines.get("pref-builder");
            assertTrue(prefUrl.startsWith("http://"), "pref-builder prints its URL: " + prefUrl);

            // a golden utterance and a self-play synthesis of it → one golden_vs_synthetic row
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.group(1));
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            GoldenUtterance g = new GoldenUtterance("serve-u1", "serve test sentence", "slt",
                    List.of(new PhoneFrames("pau", 2), new PhoneFrames("s", 4)), new int[][]{{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12}},
                    new CodecSpec("codec2", "3200"), GoldenUtterance.Split.TRAIN, "serve-test");
            Synthesis s = new Synthesis("serve-s1", Synthesis.Origin.SELF_PLAY, g.utteranceId(), g.text(), g.speaker(),
                    List.of(new PhoneFrames("pau", 3), new PhoneFrames("s", 3)), new int[][]{{6, 5, 4, 3, 2, 1}, {1, 1, 1, 1, 1, 1}},
                    "serve-v1", new Synthesis.Sampling(1.0, null, null, 1L), Instant.now());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.GOLDEN, g.utteranceId(), Json.write(g))).get(30, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(Topics.SYNTHESIS, s.synthesisId(), Json.write(s))).get(30, TimeUnit.SECONDS);
            }
            String jdbc = pg.group(1);
            String user = pg.group(2);
            await("the golden_vs_synthetic pair in preference_pairs", () -> {
                try (Connection c = DriverManager.getConnection(jdbc, user, "");
                     Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM preference_pairs WHERE source = 'golden_vs_synthetic'"
                             + " AND chosen_utterance_id = 'serve-u1' AND rejected_synthesis_id = 'serve-s1'")) {
                    rs.next();
                    return rs.getLong(1) == 1;
                }
            });

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(prefUrl + "health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(prefUrl + "prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("pref_builder_sink_rows_total"), metrics.body());

            serve.destroy(); // SIGTERM
            assertTrue(serve.waitFor(90, TimeUnit.SECONDS), "serve stops within 90 s of SIGTERM");
            // the JVM exits 143 (128 + SIGTERM) once the shutdown hook has stopped every service
            assertTrue(serve.exitValue() == 143 || serve.exitValue() == 0, "exit code after SIGTERM: " + serve.exitValue());
            String after = Files.readString(stderr);
            assertTrue(after.contains("speechalign: stopping"), after);
            assertTrue(Pattern.compile("pref-builder \\S+ stopped").matcher(after).find(), "pref-builder stopped cleanly: " + after);
        } finally {
            if (serve.isAlive()) {
                serve.destroyForcibly();
                serve.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200); // polling with a deadline
        }
        throw new AssertionError("timed out after " + TIMEOUT + " waiting for " + what + (last == null ? "" : ": " + last));
    }
}
