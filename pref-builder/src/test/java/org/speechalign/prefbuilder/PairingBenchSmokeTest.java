package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.Json;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;

/**
 * {@code ./speechalign bench pairing}'s code, tiny, on the shared runtime: every phase runs and every
 * rating and synthesis it sends comes back as a pair row. Figures are not asserted (they are the bench's
 * output); {@code -Dbench.rate/seconds/pairs} make it a bigger run with the result printed.
 */
class PairingBenchSmokeTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyPhaseRunsAndEverySentRecordBecomesAPairRow() throws Exception {
        EmbeddedRuntime rt = SharedTestRuntime.get();
        Path state = Files.createTempDirectory(Path.of("target"), "bench-state");
        int rate = Integer.getInteger("bench.rate", 100);
        int seconds = Integer.getInteger("bench.seconds", 2);
        int pairs = Integer.getInteger("bench.pairs", 300);
        Map<String, Object> r = new PairingBench(new PairingBench.Options(rt.kafka().bootstrapServers(), rt.postgres().jdbcUrl(),
                rt.postgres().user(), "", state, rate, 1, seconds, pairs)).run();
        System.out.println("BENCH " + Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));

        Map<String, Object> latency = (Map<String, Object>) r.get("latency");
        long ratings = ((Number) latency.get("ratings")).longValue();
        assertEquals((long) rate * seconds, ratings, "ratings measured");
        assertEquals((long) rate, ((Number) latency.get("warmup_ratings")).longValue(), "ratings sent to warm up, not measured");
        assertEquals(ratings, ((Number) latency.get("pairs_measured")).longValue(), "every rating completed a pair row");
        assertTrue(((Number) latency.get("txn_start_p50_ms")).doubleValue() <= ((Number) latency.get("txn_start_p99_ms")).doubleValue());
        List<?> worst = (List<?>) latency.get("worst_ms_per_second");
        assertEquals(seconds + 1, worst.size(), "one entry per measured second (and the last, partial one)");
        Object max = latency.get("max_ms") != null ? latency.get("max_ms") : latency.get("txn_start_max_ms"); // without commit times
        assertEquals(((Number) max).longValue(),
                worst.stream().mapToLong(w -> ((Number) w).longValue()).max().orElseThrow(), "the worst second holds the max");
        assertTrue(((Number) latency.get("jit_compile_share")).doubleValue() >= 0);

        Map<String, Object> throughput = (Map<String, Object>) r.get("throughput");
        assertEquals(pairs, ((Number) throughput.get("rows")).intValue());
        for (String rateKey : new String[] {"pipeline_pairs_per_s", "sink_pairs_per_s", "plain_insert_rows_per_s"}) {
            assertTrue(((Number) throughput.get(rateKey)).doubleValue() > 0, rateKey + " in " + throughput);
        }
    }
}
