package org.speechalign.prefbuilder;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.contracts.CodecSpec;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Preference;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Synthesis;

/**
 * {@code ./speechalign bench pairing}: measured against a running Kafka and PostgreSQL (the launcher
 * starts embedded ones), every phase on its own topic prefix and database so none disturbs another.
 * <ol>
 *   <li>latency: ratings at a steady rate, each completing a golden_vs_low_rated pair (minimum rater
 *       count 1 for this phase); latency = the commit time of the pair row's transaction (PostgreSQL
 *       clock, same host; {@code track_commit_timestamp}) minus the rating's send time, and beside it
 *       the row's {@code inserted_at} (the transaction's start) minus the send time; the first
 *       {@code warmupSeconds} of ratings, sent at the same rate, are not measured;</li>
 *   <li>pipeline throughput: self-play syntheses sent as fast as possible → golden_vs_synthetic pairs
 *       in PostgreSQL, pairs/s from first send to last row;</li>
 *   <li>sink throughput: the same pair records pre-loaded on the preferences topic, drained by the
 *       sink alone;</li>
 *   <li>baseline: a plain batched INSERT (no ON CONFLICT, reWriteBatchedInserts, 2,000 rows a batch)
 *       of the same rows in the same run.</li>
 * </ol>
 * Rows: chosen and rejected tokens of 3 codebooks × 100 frames each (two 300-int arrays, as in DESIGN.md's reference figures).
 */
public final class PairingBench {

    /** Where to run and how much. */
    public record Options(String bootstrapServers, String adminJdbcUrl, String user, String password, Path stateDir,
                          int ratePerSecond, int warmupSeconds, int latencySeconds, int throughputPairs) {
    }

    private final Options o;

    public PairingBench(Options o) {
        this.o = o;
    }

    public Map<String, Object> run() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "pairing");
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        if (o.latencySeconds() > 0) { // --seconds 0 skips the latency phase
            out.put("latency", latency());
        }
        if (o.throughputPairs() > 0) { // --pairs 0 skips the throughput phases
            out.put("throughput", throughput());
        }
        return out;
    }

    // ------------------------------------------------------------------ latency at a steady rate

    Map<String, Object> latency() throws Exception {
        String name = "bench_latency_" + System.currentTimeMillis();
        String jdbc = database(name);
        int n = o.ratePerSecond() * o.latencySeconds();
        // the first ratings of the steady phase run code paths the setup never ran (aggregate, join, pair,
        // the sink's pair rows): they are sent at the same rate but not measured, so the figures describe
        // a warm service
        int warm = o.ratePerSecond() * o.warmupSeconds();
        int total = warm + n;
        PrefTopics topics = new PrefTopics(name + ".");
        PairingPolicy policy = PairingPolicy.DEFAULTS.withMinRaters(1);
        BatchPolicy batching = new BatchPolicy(1_000_000_000, Duration.ofDays(365), Duration.ofSeconds(1));
        PrefBuilderConfig cfg = config(name, jdbc, topics, policy, batching);
        PrefBuilderApp.ensureTopics(cfg);
        Map<String, Long> sentAt = new HashMap<>(n * 2);
        long sendStartMillis;
        double measuredJitShare;
        long achievedNanos;
        Map<String, Object> where;
        try (Inputs producer = producer(1);
             PrefBuilderApp app = PrefBuilderApp.start(cfg)) {
            if (!app.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("pref-builder did not reach RUNNING");
            }
            // setup: golden utterances and one product synthesis per rating to come
            int goldens = 500;
            List<GoldenUtterance> gs = new ArrayList<>();
            for (int g = 0; g < goldens; g++) {
                GoldenUtterance gu = golden("lat-u" + g, g);
                gs.add(gu);
                producer.send(new ProducerRecord<>(topics.golden(), gu.utteranceId(), Json.write(gu)));
            }
            Instant t0 = Instant.now().minusSeconds(60);
            for (int i = 0; i < total; i++) {
                GoldenUtterance gu = gs.get(i % goldens);
                Synthesis s = new Synthesis("lat-p" + i, Synthesis.Origin.PRODUCT, gu.utteranceId(), gu.text(), gu.speaker(),
                        gu.phones(), tokens(i + 7), "bench-v1", new Synthesis.Sampling(1.0, null, null, (long) i), t0);
                producer.send(new ProducerRecord<>(topics.synthesis(), s.synthesisId(), Json.write(s)));
            }
            producer.flush();
            await(Duration.ofMinutes(5), () -> count(jdbc, "SELECT count(*) FROM syntheses") >= total
                    && caughtUpStreams(app));
            // the steady phase: one rating per synthesis, score 1 → one pair each
            long sinkRowsBefore = app.counters().sinkRows.get();
            long start = System.nanoTime();
            long interval = 1_000_000_000L / o.ratePerSecond();
            // set again at the first measured rating (i == warm)
            Map<String, Double> before = null;
            long compileMsAtMeasuredStart = 0;
            long measuredStartNanos = start;
            sendStartMillis = System.currentTimeMillis();
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    // one park per rating (the due times are absolute, so a late wake-up is caught up on the
                    // next one); parking in 0.2 ms slices cost the 2-core machine as much CPU as pref-builder
                    LockSupport.parkNanos(wait);
                }
                if (i == warm) {
                    before = app.diagnostics();
                    compileMsAtMeasuredStart = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
                    measuredStartNanos = System.nanoTime();
                    sendStartMillis = System.currentTimeMillis();
                }
                String sid = "lat-p" + i;
                Rating r = new Rating("lat-r" + i, sid, "bench-rater", 1, Instant.now());
                if (i >= warm) {
                    sentAt.put(pairIdLowRated(gs.get(i % goldens), sid), System.currentTimeMillis());
                }
                producer.send(new ProducerRecord<>(topics.ratings(), sid, Json.write(r)));
            }
            achievedNanos = System.nanoTime() - start;
            // the JIT compiler's share of the measured phase: on 2 cores its one C2 thread competes with the pipeline
            measuredJitShare = (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compileMsAtMeasuredStart)
                    / ((System.nanoTime() - measuredStartNanos) / 1e6);
            producer.flush();
            awaitRows(app, sinkRowsBefore + total, jdbc, "SELECT count(*) FROM preference_pairs", total, Duration.ofMinutes(5));
            where = whereTimeWent(before, app.diagnostics(), (System.nanoTime() - measuredStartNanos) / 1e9);
        }
        // Two clocks per pair row: inserted_at is now() of the sink transaction, i.e. its START (the
        // measure of the earlier figures); pg_xact_commit_timestamp(xmin) is when the row became visible
        // (needs track_commit_timestamp, which bench pairing turns on). The row exists at its commit.
        boolean commitTimes = commitTimestamps(jdbc);
        long[] lat = new long[n];
        long[] toStart = new long[n];
        long[] worstPerSecond = new long[o.latencySeconds() + 1];
        int k = 0;
        try (Connection c = DriverManager.getConnection(jdbc, o.user(), o.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pair_id, inserted_at, " + (commitTimes ? "pg_xact_commit_timestamp(xmin)" : "NULL")
                     + " FROM preference_pairs WHERE source = 'golden_vs_low_rated'")) {
            while (rs.next()) {
                Long sent = sentAt.get(rs.getString(1));
                if (sent != null) {
                    toStart[k] = rs.getTimestamp(2).getTime() - sent;
                    lat[k] = commitTimes ? rs.getTimestamp(3).getTime() - sent : toStart[k];
                    int second = (int) Math.min(worstPerSecond.length - 1, Math.max(0, (sent - sendStartMillis) / 1000));
                    worstPerSecond[second] = Math.max(worstPerSecond[second], lat[k++]);
                }
            }
        }
        lat = Arrays.copyOf(lat, k);
        toStart = Arrays.copyOf(toStart, k);
        Arrays.sort(lat);
        Arrays.sort(toStart);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target_ratings_per_s", o.ratePerSecond());
        m.put("achieved_ratings_per_s", round(total / (achievedNanos / 1e9)));
        m.put("warmup_ratings", warm);
        m.put("ratings", n);
        m.put("pairs_measured", k);
        m.put("p50_ms", commitTimes ? pct(lat, 0.50) : null);
        m.put("p99_ms", commitTimes ? pct(lat, 0.99) : null);
        m.put("max_ms", commitTimes && k > 0 ? lat[k - 1] : null);
        m.put("txn_start_p50_ms", pct(toStart, 0.50));
        m.put("txn_start_p99_ms", pct(toStart, 0.99));
        m.put("txn_start_max_ms", k == 0 ? null : toStart[k - 1]);
        m.put("jit_compile_share", round2(measuredJitShare));
        m.put("worst_ms_per_second", Arrays.stream(worstPerSecond).boxed().toList());
        m.put("where_time_went", where);
        m.put("measured_as", "p50/p99/max: commit time of the pair row's transaction (pg_xact_commit_timestamp(xmin); null when"
                + " track_commit_timestamp is off) minus the rating's send time; txn_start_*: preference_pairs.inserted_at (now(), the START"
                + " of the sink transaction, as in the figures before this measure) minus the send time; worst_ms_per_second: the largest latency (to the commit; to the transaction's start without commit times) among the ratings sent in each measured second");
        dropDatabase(name);
        return m;
    }

    /**
     * The steady phase's share of wall time (from the first rating sent to the last pair row seen) that
     * the stream thread's producer spent flushing, sending offsets and committing transactions, the
     * commits per second, and the sink's time per write; from two {@link PrefBuilderApp#diagnostics()} snapshots.
     */
    static Map<String, Object> whereTimeWent(Map<String, Double> a, Map<String, Double> b, double seconds) {
        java.util.function.Function<String, Double> d = k -> b.getOrDefault(k, 0.0) - a.getOrDefault(k, 0.0);
        Map<String, Object> w = new LinkedHashMap<>();
        double commits = d.apply("commit-total");
        double writes = d.apply("sink-writes-total");
        w.put("seconds", round(seconds));
        w.put("streams_commits_per_s", round(commits / seconds));
        w.put("streams_processed_per_s", round(d.apply("process-total") / seconds));
        w.put("producer_flush_share", round2(d.apply("flush-time-ns-total") / 1e9 / seconds));
        w.put("producer_send_offsets_share", round2(d.apply("txn-send-offsets-time-ns-total") / 1e9 / seconds));
        w.put("producer_commit_txn_share", round2(d.apply("txn-commit-time-ns-total") / 1e9 / seconds));
        w.put("stream_thread_blocked_share", round2(d.apply("blocked-time-ns-total") / 1e9 / seconds));
        w.put("ms_per_commit_flush_offsets_txn", commits == 0 ? null : round((d.apply("flush-time-ns-total")
                + d.apply("txn-send-offsets-time-ns-total") + d.apply("txn-commit-time-ns-total")) / 1e6 / commits));
        w.put("producer_retries", d.apply("record-retry-total"));
        w.put("producer_errors", d.apply("record-error-total"));
        w.put("sink_writes_per_s", round(writes / seconds));
        w.put("sink_ms_per_write", writes == 0 ? null : round(d.apply("sink-write-ns-total") / 1e6 / writes));
        w.put("sink_ms_per_write_reading_records", writes == 0 ? null : round(d.apply("sink-read-ns-total") / 1e6 / writes));
        w.put("sink_rows_per_write", writes == 0 ? null : round(d.apply("sink-rows-total") / writes));
        w.put("sink_ms_per_offset_commit", writes == 0 ? null : round(d.apply("sink-commit-ns-total") / 1e6 / writes));
        return w;
    }

    private static String pairIdLowRated(GoldenUtterance g, String synthesisId) {
        return Preference.pairIdOf(Preference.Source.GOLDEN_VS_LOW_RATED, new Preference.Side(null, null, g.utteranceId()),
                new Preference.Side(null, synthesisId, null));
    }

    // ------------------------------------------------------------------ throughput

    Map<String, Object> throughput() throws Exception {
        int n = o.throughputPairs();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", n);
        List<Preference> rows = new ArrayList<>(n);

        // 1. pipeline: self-play syntheses → pairs in PostgreSQL
        String name = "bench_pipeline_" + System.currentTimeMillis();
        String jdbc = database(name);
        PrefTopics topics = new PrefTopics(name + ".");
        BatchPolicy batching = new BatchPolicy(1_000_000_000, Duration.ofDays(365), Duration.ofSeconds(1));
        PrefBuilderConfig cfg = config(name, jdbc, topics, PairingPolicy.DEFAULTS, batching);
        PrefBuilderApp.ensureTopics(cfg);
        Instant t0 = Instant.now().minusSeconds(60);
        try (Inputs producer = producer(5);
             PrefBuilderApp app = PrefBuilderApp.start(cfg)) {
            if (!app.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("pref-builder did not reach RUNNING");
            }
            List<GoldenUtterance> gs = new ArrayList<>();
            for (int g = 0; g < n; g++) {
                GoldenUtterance gu = golden("tp-u" + g, g);
                gs.add(gu);
                producer.send(new ProducerRecord<>(topics.golden(), gu.utteranceId(), Json.write(gu)));
            }
            producer.flush();
            await(Duration.ofMinutes(5), () -> count(jdbc, "SELECT count(*) FROM golden_utterances") >= n && caughtUpStreams(app));
            long sinkRowsBefore = app.counters().sinkRows.get();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                GoldenUtterance gu = gs.get(i);
                Synthesis s = new Synthesis("tp-s" + i, Synthesis.Origin.SELF_PLAY, gu.utteranceId(), gu.text(), gu.speaker(),
                        gu.phones(), tokens(i + 3), "bench-v1", new Synthesis.Sampling(1.0, null, null, (long) i), t0);
                producer.send(new ProducerRecord<>(topics.synthesis(), s.synthesisId(), Json.write(s)));
            }
            producer.flush();
            // n syntheses and n pairs
            awaitRows(app, sinkRowsBefore + 2L * n, jdbc, "SELECT count(*) FROM preference_pairs", n, Duration.ofMinutes(10));
            double secs = (System.nanoTime() - start) / 1e9;
            m.put("pipeline_pairs_per_s", round(n / secs));
            m.put("pipeline_what", "self-play syntheses sent → golden_vs_synthetic pairs committed in PostgreSQL (Streams, exactly_once_v2, sink)");
            for (int i = 0; i < n; i++) {
                GoldenUtterance gu = gs.get(i);
                Synthesis s = new Synthesis("tp-s" + i, Synthesis.Origin.SELF_PLAY, gu.utteranceId(), gu.text(), gu.speaker(),
                        gu.phones(), tokens(i + 3), "bench-v1", null, t0);
                rows.add(Pairs.goldenVsSynthetic(new PairingState.EnrichedSynthesis(s, gu)));
            }
        }
        dropDatabase(name);

        // 2. sink alone: the same pair records pre-loaded on the preferences topic
        String sinkName = "bench_sink_" + System.currentTimeMillis();
        String sinkJdbc = database(sinkName);
        PrefTopics sinkTopics = new PrefTopics(sinkName + ".");
        PrefBuilderConfig sinkCfg = config(sinkName, sinkJdbc, sinkTopics, PairingPolicy.DEFAULTS, batching);
        PrefBuilderApp.ensureTopics(sinkCfg);
        try (Inputs producer = producer(5)) {
            for (Preference p : rows) {
                producer.send(new ProducerRecord<>(sinkTopics.preferences(), p.pairId(), Json.write(p)));
            }
            producer.flush();
        }
        long[] first = new long[2];
        double sinkSecs;
        long appStart = System.nanoTime();
        try (PrefBuilderApp app = PrefBuilderApp.start(sinkCfg)) {
            await(Duration.ofMinutes(5), () -> {
                long c = app.counters().sinkRows.get(); // rows of committed sink transactions (no query competing with the sink)
                first[0] = c;
                first[1] = System.nanoTime();
                return c > 0;
            });
            awaitRows(app, n, sinkJdbc, "SELECT count(*) FROM preference_pairs", n, Duration.ofMinutes(10));
            sinkSecs = (System.nanoTime() - first[1]) / 1e9;
        }
        if (n - first[0] >= n / 2) {
            m.put("sink_pairs_per_s", round((n - first[0]) / sinkSecs));
        } else { // the sink drained most rows before the first look: count from the app's start instead
            m.put("sink_pairs_per_s", round(n / ((System.nanoTime() - appStart) / 1e9)));
            m.put("sink_timing", "from the app's start (includes start-up)");
        }
        m.put("sink_what", "pair records already on the topic → PostgreSQL by the sink alone (INSERT … ON CONFLICT DO NOTHING, binary token arrays, batched, one transaction per poll, then the offset commit), from the first row to the last");

        // 3. baselines: plain batched INSERT of the same rows into the same table shape, token arrays as text
        //    literals (as the sink wrote them before) and in the binary array format (as the sink writes them now)
        double text = plainInsert(sinkJdbc, "plain_insert_text", rows, false);
        double binary = plainInsert(sinkJdbc, "plain_insert_binary", rows, true);
        m.put("plain_insert_rows_per_s", round(text));
        m.put("plain_insert_binary_rows_per_s", round(binary));
        m.put("plain_what", "the same rows, plain batched INSERT (no ON CONFLICT, 2,000 a batch, reWriteBatchedInserts), one client, same run;"
                + " token arrays as text literals, and (binary) in PostgreSQL's binary array format; the ratios use the faster of the two");
        dropDatabase(sinkName);
        double plainRate = Math.max(text, binary);
        m.put("sink_vs_plain", round2(((Number) m.get("sink_pairs_per_s")).doubleValue() / plainRate));
        m.put("pipeline_vs_plain", round2(((Number) m.get("pipeline_pairs_per_s")).doubleValue() / plainRate));
        return m;
    }

    /** Rows/s of a plain batched INSERT (no ON CONFLICT, 2,000 rows a transaction) into a fresh copy of preference_pairs. */
    private double plainInsert(String jdbc, String table, List<Preference> rows, boolean binaryTokens) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc + "?reWriteBatchedInserts=true", o.user(), o.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (LIKE preference_pairs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            c.setAutoCommit(false);
            long start = System.nanoTime();
            String sql = PostgresSink.UPSERT_PAIR.replace("INSERT INTO preference_pairs", "INSERT INTO " + table)
                    .replace("ON CONFLICT (pair_id) DO NOTHING", "");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < rows.size(); i++) {
                    Preference p = rows.get(i);
                    ps.setString(1, p.pairId());
                    ps.setString(2, p.source().wire());
                    ps.setString(3, p.utteranceId());
                    ps.setString(4, p.text());
                    ps.setString(5, p.speaker());
                    ps.setString(6, Sql.phones(p.phones()));
                    if (binaryTokens) {
                        ps.setObject(7, p.chosen().tokens());
                    } else {
                        ps.setString(7, Sql.intArray(p.chosen().tokens()));
                    }
                    ps.setString(8, p.chosen().synthesisId());
                    ps.setString(9, p.chosen().utteranceId());
                    if (binaryTokens) {
                        ps.setObject(10, p.rejected().tokens());
                    } else {
                        ps.setString(10, Sql.intArray(p.rejected().tokens()));
                    }
                    ps.setString(11, p.rejected().synthesisId());
                    ps.setString(12, p.rejected().utteranceId());
                    ps.setString(13, p.rejectedModelVersion());
                    ps.setString(14, null);
                    ps.setTimestamp(15, Timestamp.from(p.createdAt()));
                    ps.addBatch();
                    if (i % 2000 == 1999 || i == rows.size() - 1) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            double rate = rows.size() / ((System.nanoTime() - start) / 1e9);
            c.setAutoCommit(true);
            s.execute("DROP TABLE " + table);
            return rate;
        }
    }

    // ------------------------------------------------------------------ helpers

    private PrefBuilderConfig config(String name, String jdbc, PrefTopics topics, PairingPolicy p, BatchPolicy b) {
        PrefBuilderConfig c = PrefBuilderConfig.of(o.bootstrapServers(), jdbc, o.user(), o.password(), o.stateDir().resolve(name))
                .withTopics(topics).withIds(name + "-app", name + "-sink", "bench").withPolicies(p, b);
        String commit = System.getProperty("bench.commit-interval"); // e.g. PT0.2S, to compare commit intervals
        c = commit == null ? c : c.withCommitInterval(Duration.parse(commit));
        String threads = System.getProperty("bench.stream-threads"); // to compare thread counts
        return threads == null ? c : c.withStreamThreads(Integer.parseInt(threads));
    }

    /**
     * The bench's input producer, every send checked: {@link #flush()} throws the first failed send's
     * error. Sends used to be fire-and-forget, so a failed one (the broker once answered the idempotent
     * producer OutOfOrderSequenceException on the shared test broker) showed up only as a wait for rows
     * that never came, timing out after minutes: the pairing bench's "hang".
     */
    static final class Inputs implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

        Inputs(KafkaProducer<String, byte[]> producer) {
            this.producer = producer;
        }

        void send(ProducerRecord<String, byte[]> record) {
            producer.send(record, (meta, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                    failed.compareAndSet(null, e);
                }
            });
        }

        /** Waits for every send; throws when any failed. */
        void flush() {
            producer.flush();
            Exception e = failed.get();
            if (e != null) {
                throw new IllegalStateException("bench: " + failures.get() + " input record(s) could not be sent: " + e, e);
            }
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    private Inputs producer(int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Not idempotent: on the in-process broker the idempotent input producer got stuck resending sequence 0
        // of partitions whose sequences had reached 24 (OutOfOrderSequenceException, every retry, until the
        // delivery timeout; cause not found). Inputs need no idempotence here: the topology drops exact
        // re-deliveries and the sink upserts; one request in flight keeps each partition in order.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new Inputs(new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    private String database(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(o.adminJdbcUrl(), o.user(), o.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        String base = o.adminJdbcUrl();
        return base.substring(0, base.lastIndexOf('/') + 1) + name;
    }

    private void dropDatabase(String name) {
        try (Connection c = DriverManager.getConnection(o.adminJdbcUrl(), o.user(), o.password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException ignored) {
            // best effort: the bench home is deleted afterwards anyway
        }
    }

    private boolean commitTimestamps(String jdbc) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc, o.user(), o.password());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW track_commit_timestamp")) {
            return rs.next() && rs.getString(1).equals("on");
        }
    }

    private long count(String jdbc, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc, o.user(), o.password());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Whether the app's Streams consumer has caught up with its inputs and with its own internal
     * topics (repartition, foreign-key subscription and response topics): every end offset committed.
     * Checking the inputs alone let the foreign-key join of the setup syntheses run on into the
     * measured phase.
     */
    private boolean caughtUpStreams(PrefBuilderApp app) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", o.bootstrapServers());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            var committed = admin.listConsumerGroupOffsets(app.config().applicationId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ask = new HashMap<>();
            for (var d : admin.describeTopics(app.config().topics().inputs()).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(tp -> ask.put(new org.apache.kafka.common.TopicPartition(d.name(), tp.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest()));
            }
            committed.keySet().forEach(tp -> ask.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
            for (var e : admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS).entrySet()) {
                var c = committed.get(e.getKey());
                if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Waits until PostgreSQL holds {@code n} rows, asking it only once the sink's own row counter (rows of
     * committed sink transactions, in this JVM) reached {@code sinkRowsTarget}: a {@code count(*)} every
     * 20 ms, as the bench did before, competed with the sink for the database while it was being measured.
     */
    private void awaitRows(PrefBuilderApp app, long sinkRowsTarget, String jdbc, String countSql, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        await(timeout, () -> app.counters().sinkRows.get() >= sinkRowsTarget);
        // the counter counts a replayed row again, so confirm in PostgreSQL (rarely: once it should be there)
        await(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), () -> {
            if (count(jdbc, countSql) >= n) {
                return true;
            }
            Thread.sleep(250); // polling PostgreSQL with a deadline, gently
            return false;
        });
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bench timed out after " + timeout);
            }
            Thread.sleep(20); // polling PostgreSQL with a deadline
        }
    }

    static GoldenUtterance golden(String id, int i) {
        return new GoldenUtterance(id, "bench sentence number " + i, "slt",
                List.of(new PhoneFrames("pau", 10), new PhoneFrames("b", 40), new PhoneFrames("eh", 50)),
                tokens(i), new CodecSpec("codec2", "3200"), GoldenUtterance.Split.TRAIN, "bench");
    }

    static int[][] tokens(int seed) {
        int[][] t = new int[3][100];
        for (int cb = 0; cb < 3; cb++) {
            for (int f = 0; f < 100; f++) {
                t[cb][f] = (seed * 131 + cb * 17 + f * 7) & 511;
            }
        }
        return t;
    }

    private static Long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
