package org.speechalign.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.speechalign.contracts.Json;
import org.speechalign.embedded.EmbeddedPostgres;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.prefbuilder.PairingBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./speechalign bench pairing [--json]}: pref-builder's rating-to-PostgreSQL-row latency at a
 * steady rating rate, and pairs/s into PostgreSQL next to a plain batched INSERT of the same rows,
 * on a fresh embedded broker and PostgreSQL (deleted afterwards).
 */
@Command(name = "pairing", mixinStandardHelpOptions = true,
        description = "pref-builder: rating→pair-row latency at a steady rate; pairs/s into PostgreSQL vs a plain batched INSERT.")
public final class BenchPairingCommand implements Callable<Integer> {

    @Option(names = "--json", description = "print the figures as one JSON document")
    boolean json;

    @Option(names = "--rate", defaultValue = "1000", description = "ratings per second in the latency phase (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--warmup-seconds", defaultValue = "60", description = "seconds of ratings sent at the same rate before the measured ones and not measured,"
            + " so the JIT compiler has compiled the rating path (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "30", description = "seconds of measured ratings in the latency phase; 0 skips the phase (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--pairs", defaultValue = "20000", description = "pairs in the throughput phases; 0 skips them (default ${DEFAULT-VALUE})")
    int pairs;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || warmupSeconds < 0 || seconds < 0 || pairs < 0) {
            throw new UserFacingException("--rate must be positive; --warmup-seconds, --seconds and --pairs 0 or more (got "
                    + rate + ", " + warmupSeconds + ", " + seconds + ", " + pairs + ")");
        }
        Path home = Files.createTempDirectory("speechalign-bench-pairing-");
        // Latency is measured to the commit of the pair row's transaction, which PostgreSQL records only
        // with track_commit_timestamp: set it, and restart the server (the runtime below) to apply it.
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(home, 0, EmbeddedRuntime.START_TIMEOUT);
             Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET track_commit_timestamp = on");
        }
        try (EmbeddedRuntime rt = EmbeddedRuntime.start(home, 0, 0)) {
            if (!json) {
                System.err.println("bench pairing: embedded Kafka " + rt.kafka().bootstrapServers() + ", PostgreSQL " + rt.postgres().jdbcUrl());
            }
            Map<String, Object> result = new PairingBench(new PairingBench.Options(rt.kafka().bootstrapServers(),
                    rt.postgres().jdbcUrl(), rt.postgres().user(), rt.postgres().password(), home.resolve("state"),
                    rate, warmupSeconds, seconds, pairs)).run();
            if (json) {
                System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            } else {
                @SuppressWarnings("unchecked") Map<String, Object> lat = (Map<String, Object>) result.get("latency");
                @SuppressWarnings("unchecked") Map<String, Object> tp = (Map<String, Object>) result.get("throughput");
                if (lat != null) System.out.printf("latency at %s ratings/s (achieved %s), to the row's commit: p50 %s ms, p99 %s ms, max %s ms"
                                + " (to its transaction's start: p50 %s ms, p99 %s ms) over %s pairs%n",
                        lat.get("target_ratings_per_s"), lat.get("achieved_ratings_per_s"), lat.get("p50_ms"), lat.get("p99_ms"),
                        lat.get("max_ms"), lat.get("txn_start_p50_ms"), lat.get("txn_start_p99_ms"), lat.get("pairs_measured"));
                if (tp != null) System.out.printf("pairs/s into PostgreSQL: pipeline %s, sink alone %s; plain batched INSERT %s rows/s"
                                + " (binary token arrays %s; sink/plain %s, pipeline/plain %s against the faster)%n",
                        tp.get("pipeline_pairs_per_s"), tp.get("sink_pairs_per_s"), tp.get("plain_insert_rows_per_s"),
                        tp.get("plain_insert_binary_rows_per_s"), tp.get("sink_vs_plain"), tp.get("pipeline_vs_plain"));
            }
        } finally {
            try (var walk = Files.walk(home)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }
}
