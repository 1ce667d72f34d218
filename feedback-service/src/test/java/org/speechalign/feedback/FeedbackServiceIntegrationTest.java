package org.speechalign.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.embedded.EmbeddedKafka;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;

/** The feedback-service against a real broker and a real PostgreSQL started by the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeedbackServiceIntegrationTest {

    static final Duration DEADLINE = Duration.ofSeconds(60);
    EmbeddedRuntime rt;
    ApplicationContext ctx;
    String base;
    DataSource ds;
    HttpClient http;
    String ingestKey;
    String adminKey;
    String synthKey;
    String slowKey;
    String revokedKey;

    @BeforeAll
    void start() throws Exception {
        rt = SharedTestRuntime.get();
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", -1);
        props.put("kafka.bootstrap-servers", rt.kafka().bootstrapServers());
        props.put("database.url", rt.postgres().jdbcUrl());
        props.put("database.user", rt.postgres().user());
        props.put("feedback.key-cache-ttl", "0s");
        props.put("feedback.ack-timeout", "60s");
        props.put("feedback.sink-consumers", 2); // the sink's tests below run on two consumers (the default is one)
        ctx = FeedbackService.start(props);
        base = FeedbackService.url(ctx);
        ds = rt.postgres().dataSource();
        ApiKeys keys = new ApiKeys(ds);
        ingestKey = keys.create("it-ingest", EnumSet.of(ApiKeys.Role.INGEST), 1_000_000).secret();
        adminKey = keys.create("it-admin", EnumSet.of(ApiKeys.Role.ADMIN), null).secret();
        synthKey = keys.create("it-synth", EnumSet.of(ApiKeys.Role.SYNTHESIZE), null).secret();
        slowKey = keys.create("it-slow", EnumSet.of(ApiKeys.Role.INGEST), 5).secret();
        revokedKey = keys.create("it-revoked", EnumSet.of(ApiKeys.Role.INGEST), null).secret();
        keys.revoke("it-revoked");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() {
        if (ctx != null) {
            ctx.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    HttpResponse<String> post(String path, String key, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String key, String body) throws Exception {
        return post(path, key, "application/json", body);
    }

    static String rating(String id, String synthesis, String rater, int score) {
        return "{\"rating_id\":\"" + id + "\",\"synthesis_id\":\"" + synthesis + "\",\"rater_id\":\"" + rater + "\",\"score\":" + score + "}";
    }

    static String comparison(String id, String a, String b, String winner, String rater) {
        return "{\"comparison_id\":\"" + id + "\",\"synthesis_a\":\"" + a + "\",\"synthesis_b\":\"" + b
                + "\",\"winner\":\"" + winner + "\",\"rater_id\":\"" + rater + "\"}";
    }

    long count(String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Sum of end offsets of the given topics: unchanged means nothing was written. */
    long endOffsets(String... topics) throws Exception {
        try (Admin admin = rt.kafka().admin()) {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (String t : topics) {
                for (int p = 0; p < Topics.DEFAULT_PARTITIONS; p++) {
                    q.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            return admin.listOffsets(q).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }

    /** Waits until the sink has committed every record of the feedback topics. */
    void awaitSinkCaughtUp() throws Exception {
        try (Admin admin = rt.kafka().admin()) {
            await("sink caught up", () -> EmbeddedKafka.committedEverything(admin, "feedback-service-sink",
                    List.of(Topics.RATINGS, Topics.COMPARISONS)));
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            Thread.onSpinWait();
            Thread.sleep(20); // polling interval, bounded by the deadline
        }
        throw new AssertionError("timed out waiting for: " + what);
    }

    KafkaProducer<String, byte[]> rawProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void healthIsUpAndRatingsLandInPostgres() throws Exception {
        HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, h.statusCode(), h.body());
        HttpResponse<String> one = postJson("/v1/ratings", ingestKey, rating("ok-1", "syn-1", "rater-a", 4));
        assertEquals(202, one.statusCode(), one.body());
        String batch = IntStream.range(0, 1000).mapToObj(i -> rating("ok-b-" + i, "syn-" + (i % 7), "rater-" + (i % 13), 1 + i % 5))
                .collect(Collectors.joining(",", "[", "]"));
        HttpResponse<String> many = postJson("/v1/ratings", ingestKey, batch);
        assertEquals(202, many.statusCode(), many.body());
        assertTrue(many.body().contains("\"accepted\":1000"), many.body());
        HttpResponse<String> cmp = postJson("/v1/comparisons", ingestKey, comparison("cmp-1", "syn-1", "syn-2", "b", "rater-a"));
        assertEquals(202, cmp.statusCode(), cmp.body());
        // Stored times keep the microsecond (rounded from the nanoseconds sent) in any offset.
        String at = ",\"created_at\":\"2026-01-02T03:04:05.123456789+02:00\"}";
        assertEquals(202, postJson("/v1/ratings", ingestKey, rating("ok-time", "syn-t", "rater-t", 2).replace("}", at)).statusCode());
        assertEquals(202, postJson("/v1/comparisons", ingestKey, comparison("cmp-time", "syn-t", "syn-u", "tie", "rater-t")
                .replace("}", at)).statusCode());
        await("1002 ratings and 2 comparisons stored", () ->
                count("SELECT count(*) FROM ratings WHERE rating_id LIKE 'ok-%'") == 1002
                        && count("SELECT count(*) FROM comparisons WHERE comparison_id IN ('cmp-1', 'cmp-time')") == 2);
        assertEquals(1, count("SELECT count(*) FROM ratings WHERE rating_id = 'ok-time' AND synthesis_id = 'syn-t' "
                + "AND rater_id = 'rater-t' AND score = 2 AND created_at = '2026-01-02T01:04:05.123457Z' AND kafka_offset >= 0"));
        assertEquals(1, count("SELECT count(*) FROM comparisons WHERE comparison_id = 'cmp-time' AND synthesis_a = 'syn-t' "
                + "AND synthesis_b = 'syn-u' AND winner = 'tie' AND created_at = '2026-01-02T01:04:05.123457Z'"));
        assertEquals(1000, count("SELECT count(*) FROM ratings WHERE rating_id LIKE 'ok-b-%' AND score = 1 + "
                + "substring(rating_id from 6)::int % 5 AND synthesis_id = 'syn-' || substring(rating_id from 6)::int % 7"),
                "each column of the batch stored in its row");
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("feedback_events_accepted"), "prometheus exposes the ingest counters");
        HttpResponse<String> openapi = http.send(HttpRequest.newBuilder(URI.create(base + "/openapi.yml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, openapi.statusCode(), "the OpenAPI document is served without a key");
        assertTrue(openapi.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"), openapi.headers().toString());
        assertTrue(openapi.body().contains("title: feedback-service") && openapi.body().contains("/v1/ratings"), openapi.body());
    }

    @Test
    @Order(2)
    void everyErrorClassGetsItsStatusAndWritesNothing() throws Exception {
        assertEquals(202, postJson("/v1/ratings", ingestKey, rating("first-1", "syn-9", "rater-z", 3)).statusCode());
        awaitSinkCaughtUp();
        long offsets = endOffsets(Topics.RATINGS, Topics.COMPARISONS);
        long claims = count("SELECT count(*) FROM ingest_claims");
        long ratings = count("SELECT count(*) FROM ratings");
        String good = rating("bad-x", "syn-1", "rater-b", 3);
        String big = "[" + IntStream.range(0, 1001).mapToObj(i -> rating("bad-big-" + i, "s", "r", 3)).collect(Collectors.joining(",")) + "]";
        String huge = rating("bad-huge", "s", "r", 3).replace("}", ",\"padding\":\"" + "x".repeat(1_200_000) + "\"}");
        record Case(int status, String path, String key, String contentType, String body, String field) {
        }
        List<Case> cases = List.of(
                new Case(401, "/v1/ratings", null, "application/json", good, null),
                new Case(401, "/v1/ratings", "sa_nope_nope", "application/json", good, null),
                new Case(401, "/v1/ratings", revokedKey, "application/json", good, null),
                new Case(403, "/v1/ratings", synthKey, "application/json", good, null),
                new Case(403, "/v1/comparisons", synthKey, "application/json", comparison("bad-c", "a", "b", "a", "r"), null),
                new Case(415, "/v1/ratings", ingestKey, "text/plain", good, null),
                new Case(415, "/v1/ratings", ingestKey, null, good, null),
                new Case(404, "/v1/ratingz", ingestKey, "application/json", good, null),
                new Case(413, "/v1/ratings", ingestKey, "application/json", big, null),
                new Case(413, "/v1/ratings", ingestKey, "application/json", huge, null),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "{\"rating_id\":", "(body)"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "", "(body)"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "null", "(body)"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "[]", "(body)"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", good.replace("3}", "\"3\"}"), "score"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", good.replace("3}", "3.5}"), "score"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", good.replace("3}", "6}"), "score"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", good.replace("3}", "0}"), "score"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "{\"rating_id\":\"bad-m\",\"synthesis_id\":\"s\",\"score\":3}", "rater_id"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", rating("x".repeat(129), "s", "r", 3), "rating_id"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", good.replace("}", ",\"created_at\":\"yesterday\"}"), "created_at"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "[" + good + "," + rating("bad-y", "s", "r", 9) + "]", "[1].score"),
                new Case(400, "/v1/ratings", ingestKey, "application/json", "[" + good + ",42]", "[1]"),
                new Case(400, "/v1/comparisons", ingestKey, "application/json", comparison("bad-c", "a", "b", "c", "r"), "winner"),
                new Case(400, "/v1/comparisons", ingestKey, "application/json", comparison("bad-c", "a", "a", "a", "r"), "synthesis_b"),
                new Case(409, "/v1/ratings", ingestKey, "application/json", rating("first-1", "syn-9", "rater-z", 5), null),
                new Case(409, "/v1/ratings", ingestKey, "application/json", "[" + rating("bad-d", "s", "r", 1) + "," + rating("bad-d", "s", "r", 2) + "]", null),
                new Case(409, "/v1/ratings", ingestKey, "application/json", "[" + rating("bad-new", "s", "r", 1) + "," + rating("first-1", "syn-9", "rater-z", 1) + "]", null));
        for (Case c : cases) {
            HttpResponse<String> r = post(c.path(), c.key(), c.contentType(), c.body());
            String shown = c.body().length() > 120 ? c.body().substring(0, 120) + "…" : c.body();
            assertEquals(c.status(), r.statusCode(), shown + " → " + r.body());
            if (c.field() != null) {
                assertTrue(r.body().contains("\"field\":\"" + c.field().replace("\"", "\\\"") + "\""), shown + " → " + r.body());
            }
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String status : List.of("401", "403", "415", "413", "400", "409", "404")) {
            assertTrue(metrics.contains("feedback_requests_total{status=\"" + status + "\"}"), "answers counted by status, also Micronaut's: " + status);
        }
        // 429: a key limited to 5 events/s (burst: one full batch) sends more.
        String batch = "[" + IntStream.range(0, 1000).mapToObj(i -> rating("slow-" + i, "s", "r", 2)).collect(Collectors.joining(",")) + "]";
        assertEquals(202, postJson("/v1/ratings", slowKey, batch).statusCode());
        offsets = endOffsets(Topics.RATINGS, Topics.COMPARISONS);
        claims = count("SELECT count(*) FROM ingest_claims");
        HttpResponse<String> limited = postJson("/v1/ratings", slowKey,
                "[" + IntStream.range(0, 100).mapToObj(i -> rating("bad-slow-" + i, "s", "r", 2)).collect(Collectors.joining(",")) + "]");
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
        assertEquals(offsets, endOffsets(Topics.RATINGS, Topics.COMPARISONS), "refused requests wrote nothing to Kafka");
        assertEquals(claims, count("SELECT count(*) FROM ingest_claims"), "refused requests wrote no claim");
        awaitSinkCaughtUp();
        assertEquals(0, count("SELECT count(*) FROM ratings WHERE rating_id LIKE 'bad-%'"));
        assertEquals(0, count("SELECT count(*) FROM ingest_claims WHERE id LIKE 'bad-%'"));
        assertEquals(0, count("SELECT count(*) FROM comparisons WHERE comparison_id LIKE 'bad-%'"));
        assertTrue(count("SELECT count(*) FROM ratings") >= ratings);
    }

    @Test
    @Order(3)
    void duplicatesAndReplaysLeaveTablesUnchanged() throws Exception {
        String r = rating("dup-1", "syn-d", "rater-d", 2);
        assertEquals(202, postJson("/v1/ratings", ingestKey, r).statusCode());
        HttpResponse<String> again = postJson("/v1/ratings", ingestKey, r);
        assertEquals(202, again.statusCode());
        assertTrue(again.body().contains("\"duplicates\":1"), again.body());
        HttpResponse<String> twice = postJson("/v1/ratings", ingestKey, "[" + rating("dup-2", "s", "r", 1) + "," + rating("dup-2", "s", "r", 1) + "]");
        assertEquals(202, twice.statusCode());
        assertTrue(twice.body().contains("\"accepted\":1"), twice.body());
        awaitSinkCaughtUp();
        assertEquals(2, count("SELECT count(*) FROM ratings WHERE rating_id LIKE 'dup-%'"));
        long before = count("SELECT count(*) FROM ratings") + count("SELECT count(*) FROM comparisons");
        String checksum = "SELECT count(*) FROM (SELECT md5(string_agg(rating_id || score || payload_sha256, ',' ORDER BY rating_id)) FROM ratings) x";
        long dlqBefore = endOffsets(Topics.dlqOf(Topics.RATINGS));
        // Replay: a product (or a reset consumer) sends the same records again straight to Kafka,
        // plus one conflicting payload and one broken record.
        try (KafkaProducer<String, byte[]> p = rawProducer()) {
            for (int i = 0; i < 1000; i++) {
                p.send(new ProducerRecord<>(Topics.RATINGS, "syn", rating("ok-b-" + i, "syn-" + (i % 7), "rater-" + (i % 13), 1 + i % 5)
                        .replace("}", ",\"created_at\":\"2026-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
            }
            p.send(new ProducerRecord<>(Topics.RATINGS, "syn", rating("dup-1", "syn-d", "rater-d", 5).getBytes(StandardCharsets.UTF_8)));
            p.send(new ProducerRecord<>(Topics.RATINGS, "syn", "{not json".getBytes(StandardCharsets.UTF_8)));
            p.send(new ProducerRecord<>(Topics.COMPARISONS, "cmp-1", comparison("cmp-1", "syn-1", "syn-2", "b", "rater-a").getBytes(StandardCharsets.UTF_8)));
            p.flush();
        }
        awaitSinkCaughtUp();
        assertEquals(before, count("SELECT count(*) FROM ratings") + count("SELECT count(*) FROM comparisons"));
        assertEquals(2, count("SELECT score FROM ratings WHERE rating_id = 'dup-1'"), "the first accepted payload wins");
        assertEquals(1, count(checksum));
        await("two dead letters", () -> endOffsets(Topics.dlqOf(Topics.RATINGS)) == dlqBefore + 2);
    }

    @Test
    @Order(4)
    void raterErasureIsAdminOnlyAuditedAndSurvivesReplay() throws Exception {
        assertEquals(202, postJson("/v1/ratings", ingestKey, rating("er-1", "syn-e", "rater-erase", 1)).statusCode());
        assertEquals(202, postJson("/v1/comparisons", ingestKey, comparison("er-c", "syn-e", "syn-f", "a", "rater-erase")).statusCode());
        await("stored", () -> count("SELECT count(*) FROM ratings WHERE rater_id = 'rater-erase'") == 1
                && count("SELECT count(*) FROM comparisons WHERE rater_id = 'rater-erase'") == 1);
        HttpRequest del = HttpRequest.newBuilder(URI.create(base + "/v1/raters/rater-erase")).DELETE()
                .header("Authorization", "Bearer " + ingestKey).build();
        assertEquals(403, http.send(del, HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpRequest admin = HttpRequest.newBuilder(URI.create(base + "/v1/raters/rater-erase")).DELETE()
                .header("Authorization", "Bearer " + adminKey).build();
        HttpResponse<String> erased = http.send(admin, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, erased.statusCode(), erased.body());
        assertEquals(0, count("SELECT count(*) FROM ratings WHERE rater_id = 'rater-erase'")
                + count("SELECT count(*) FROM comparisons WHERE rater_id = 'rater-erase'")
                + count("SELECT count(*) FROM ingest_claims WHERE rater_id = 'rater-erase'"));
        assertEquals(1, count("SELECT count(*) FROM rater_erasures WHERE rater_id = 'rater-erase' AND requested_by = 'it-admin' AND ratings_deleted = 1"));
        // The sink re-reading the rater's old records (a replay) must not bring them back.
        try (KafkaProducer<String, byte[]> p = rawProducer()) {
            p.send(new ProducerRecord<>(Topics.RATINGS, null, System.currentTimeMillis() - 60_000, "syn-e",
                    rating("er-1", "syn-e", "rater-erase", 1).getBytes(StandardCharsets.UTF_8))).get();
        }
        awaitSinkCaughtUp();
        assertEquals(0, count("SELECT count(*) FROM ratings WHERE rater_id = 'rater-erase'"));
    }

    @Test
    @Order(5)
    void brokerRestartDuringIngestionLosesNoAcknowledgedRating() throws Exception {
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean run = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread s = new Thread(() -> {
                int i = 0;
                while (run.get()) {
                    String id = "rs-" + thread + "-" + i++;
                    try {
                        HttpResponse<String> r = postJson("/v1/ratings", ingestKey, rating(id, "syn-r", "rater-r", 3));
                        if (r.statusCode() == 202) {
                            acknowledged.add(id);
                        }
                    } catch (Exception e) {
                        // not acknowledged: the product would retry
                    }
                }
            });
            s.start();
            senders.add(s);
        }
        await("some ratings acknowledged", () -> acknowledged.size() >= 200);
        rt.kafka().stop();
        HttpResponse<String> down = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, down.statusCode(), "not ready while the broker is down: " + down.body());
        int beforeRestart = acknowledged.size();
        rt.kafka().start();
        rt.kafka().awaitReady(Duration.ofSeconds(60));
        await("ingestion resumes after the restart", () -> acknowledged.size() >= beforeRestart + 200);
        run.set(false);
        for (Thread s : senders) {
            s.join(120_000);
        }
        Set<String> acked = Set.copyOf(acknowledged);
        await("every acknowledged rating stored", () -> {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM ratings WHERE rating_id LIKE 'rs-%'")) {
                rs.next();
                return rs.getLong(1) >= acked.size();
            }
        });
        try (Connection c = ds.getConnection(); var ps = c.prepareStatement("SELECT count(*) FROM ratings WHERE rating_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", acked.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(acked.size(), rs.getLong(1), "every acknowledged rating is in PostgreSQL");
            }
        }
    }

    // ------------------------------------------------------------------ issue 5: tried as a new user would

    HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Bad inputs from trying the API by hand: each refused with its status, a JSON {error, message} naming the field, nothing written. */
    @Test
    @Order(6)
    void badInputsANewUserTriedAreRefusedNamingTheFieldAndWriteNothing() throws Exception {
        awaitSinkCaughtUp();
        long offsets = endOffsets(Topics.RATINGS, Topics.COMPARISONS);
        long claims = count("SELECT count(*) FROM ingest_claims");
        long erasures = count("SELECT count(*) FROM rater_erasures");
        String good = rating("nu-1", "syn-n", "rater-n", 3);
        byte[] utf8 = good.getBytes(StandardCharsets.UTF_8);
        // "nu-" + C0 AF: an overlong '/', which Jackson read as '/'
        java.io.ByteArrayOutputStream overlongOut = new java.io.ByteArrayOutputStream();
        overlongOut.writeBytes("{\"rating_id\":\"nu-".getBytes(StandardCharsets.UTF_8));
        overlongOut.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
        overlongOut.writeBytes("\",\"synthesis_id\":\"s\",\"rater_id\":\"r\",\"score\":3}".getBytes(StandardCharsets.UTF_8));
        byte[] overlong = overlongOut.toByteArray();
        record Case(int status, String method, String path, String contentType, byte[] body, String field) {
        }
        List<Case> cases = List.of(
                // a repeated field: ambiguous, was "the last one wins"
                new Case(400, "POST", "/v1/ratings", "application/json", good.replace("\"score\":3", "\"score\":1,\"score\":5").getBytes(), "score"),
                // an unknown field, e.g. a typo of created_at: was dropped silently
                new Case(400, "POST", "/v1/ratings", "application/json", good.replace("}", ",\"created-at\":\"2026-03-01T10:00:00Z\"}").getBytes(), "created-at"),
                new Case(400, "POST", "/v1/ratings", "application/json", ("[" + good + "," + rating("nu-2", "s", "r", 2).replace("}", ",\"x\":1}") + "]").getBytes(), "[1].x"),
                // an unpaired surrogate: was stored as '?' and stopped the sink
                new Case(400, "POST", "/v1/ratings", "application/json", good.replace("nu-1", "nu-\\ud800").getBytes(), "rating_id"),
                new Case(400, "POST", "/v1/ratings", "application/json", good.replace("rater-n", "\u00a0").getBytes(StandardCharsets.UTF_8), "rater_id"),
                // not UTF-8: an overlong sequence (was read as '/'), UTF-16 (was sniffed and accepted)
                new Case(400, "POST", "/v1/ratings", "application/json", overlong, "(body)"),
                new Case(400, "POST", "/v1/ratings", "application/json", good.getBytes(StandardCharsets.UTF_16LE), "(body)"),
                // winner exactly a, b or tie (" a" was trimmed into a)
                new Case(400, "POST", "/v1/comparisons", "application/json", comparison("nu-c", "a", "b", " a", "r").getBytes(), "winner"),
                // an unparsable Content-Type: was a 500
                new Case(415, "POST", "/v1/ratings", ";;;", utf8, null),
                // erasing an id that cannot exist: a NUL was a 503 from PostgreSQL, a control character an audited erasure
                new Case(400, "DELETE", "/v1/raters/a%00b", null, null, "rater_id"),
                new Case(400, "DELETE", "/v1/raters/%01", null, null, "rater_id"),
                // Micronaut's own refusals carry the API's {error, message} body too
                new Case(405, "GET", "/v1/ratings", null, null, null),
                new Case(405, "PUT", "/v1/ratings", "application/json", utf8, null),
                new Case(404, "POST", "/v1/rating", "application/json", utf8, null));
        for (Case c : cases) {
            String key = c.method().equals("DELETE") ? adminKey : ingestKey;
            HttpResponse<String> r = send(c.method(), c.path(), key, c.contentType(), c.body());
            String shown = c.method() + " " + c.path() + " " + (c.body() == null ? "" : new String(c.body(), StandardCharsets.UTF_8));
            assertEquals(c.status(), r.statusCode(), shown + " → " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), shown + " → " + r.headers());
            var body = org.speechalign.contracts.Json.MAPPER.readTree(r.body());
            assertTrue(body.hasNonNull("error") && body.hasNonNull("message") && !body.has("_links"), shown + " → " + r.body());
            if (c.field() != null) {
                assertTrue(r.body().contains("\"field\":\"" + c.field() + "\""), shown + " → " + r.body());
            }
        }
        assertEquals(offsets, endOffsets(Topics.RATINGS, Topics.COMPARISONS), "refused requests wrote nothing to Kafka");
        assertEquals(claims, count("SELECT count(*) FROM ingest_claims"), "refused requests wrote no claim");
        assertEquals(erasures, count("SELECT count(*) FROM rater_erasures"), "refused erasures audited nothing");
        // ... and what is fine: a UTF-8 byte order mark before an array (it was read as a single object)
        byte[] bom = ("\uFEFF[" + rating("nu-bom", "s", "rater-n", 4) + "]").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> ok = send("POST", "/v1/ratings", ingestKey, "application/json; charset=utf-8", bom);
        assertEquals(202, ok.statusCode(), ok.body());
    }

    /** A record the sink's PostgreSQL would alter (an unpaired surrogate) once stopped it for good; now it is a dead letter. */
    @Test
    @Order(7)
    void aRecordPostgresWouldAlterIsDeadLetteredAndTheSinkGoesOn() throws Exception {
        awaitSinkCaughtUp();
        long dlq = endOffsets(Topics.dlqOf(Topics.RATINGS));
        try (KafkaProducer<String, byte[]> p = rawProducer()) {
            p.send(new ProducerRecord<>(Topics.RATINGS, "s", rating("poison-\\ud800", "s", "rater-p", 3).getBytes(StandardCharsets.UTF_8))).get();
            p.send(new ProducerRecord<>(Topics.RATINGS, "s", rating("after-poison", "s", "rater-p", 3).getBytes(StandardCharsets.UTF_8))).get();
        }
        await("the rating after it stored", () -> count("SELECT count(*) FROM ratings WHERE rating_id = 'after-poison'") == 1);
        await("the poison dead-lettered", () -> endOffsets(Topics.dlqOf(Topics.RATINGS)) == dlq + 1);
        assertEquals(0, count("SELECT count(*) FROM ratings WHERE rating_id LIKE 'poison-%'"));
    }

    /** The sink's consumers share its group's partitions, each consumer on some (FEEDBACK_SINK_CONSUMERS = 2 here). */
    @Test
    @Order(9)
    void theSinksConsumersShareItsPartitions() throws Exception {
        await("two sink consumers, every partition of both topics assigned", () -> {
            try (Admin admin = rt.kafka().admin()) {
                var members = admin.describeConsumerGroups(List.of("feedback-service-sink")).all().get()
                        .get("feedback-service-sink").members();
                Set<TopicPartition> assigned = new java.util.HashSet<>();
                members.forEach(m -> assigned.addAll(m.assignment().topicPartitions()));
                return members.size() == 2 && members.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())
                        && assigned.size() == 2 * Topics.DEFAULT_PARTITIONS;
            }
        });
    }

    /** A key made without --rate gets the service's default rate (it got 0: refused for good after 1,000 events). */
    @Test
    @Order(8)
    void aKeyWithoutItsOwnRateIsLimitedByTheDefaultAndRecovers() throws Exception {
        String plain = new ApiKeys(ds).create("it-plain", EnumSet.of(ApiKeys.Role.INGEST), null).secret();
        HttpResponse<String> limited = null;
        for (int round = 0; round < 40 && limited == null; round++) {
            int r0 = round;
            String batch = IntStream.range(0, 1000).mapToObj(i -> rating("plain-" + r0 + "-" + i, "s", "rater-q", 2))
                    .collect(Collectors.joining(",", "[", "]"));
            HttpResponse<String> r = postJson("/v1/ratings", plain, batch);
            if (r.statusCode() == 429) {
                limited = r;
            } else {
                assertEquals(202, r.statusCode(), r.body());
            }
        }
        assertTrue(limited != null, "2,000 events/s per key is exceeded by arrays of 1,000 back to back");
        assertTrue(limited.body().contains("rate of 2000 events/s"), limited.body());
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(""), limited.headers().toString());
        String one = rating("plain-after", "s", "rater-q", 2);
        await("accepted again after Retry-After", () -> postJson("/v1/ratings", plain, one).statusCode() == 202);
    }
}
