package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.Json;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;

/**
 * The bench code on the shared runtime, small enough for every build (a few seconds at 200
 * ratings/s); {@code -Dbench.rate/-seconds/-pairs} make it a real run.
 */
class PairingBenchSmokeTest {

    @Test
    void benchRuns() throws Exception {
        EmbeddedRuntime rt = SharedTestRuntime.get();
        Path state = Files.createTempDirectory(Path.of("target"), "bench-state");
        int rate = Integer.getInteger("bench.rate", 200);
        int seconds = Integer.getInteger("bench.seconds", 3);
        int pairs = Integer.getInteger("bench.pairs", 500);
        Map<String, Object> r = new PairingBench(new PairingBench.Options(rt.kafka().bootstrapServers(), rt.postgres().jdbcUrl(),
                rt.postgres().user(), "", state, rate, seconds, pairs)).run();
        System.out.println("BENCH " + Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        assertEquals("pairing", r.get("bench"));
        Map<?, ?> latency = (Map<?, ?>) r.get("latency");
        Map<?, ?> throughput = (Map<?, ?>) r.get("throughput");
        // every rating sent became a measured pair, and both throughput figures were measured
        assertEquals(latency.get("ratings"), latency.get("pairs_measured"), "latency: " + latency);
        assertTrue(((Number) latency.get("p99_ms")).doubleValue() >= ((Number) latency.get("p50_ms")).doubleValue(), latency.toString());
        assertTrue(((Number) throughput.get("sink_pairs_per_s")).doubleValue() > 0, throughput.toString());
        assertTrue(((Number) throughput.get("plain_insert_rows_per_s")).doubleValue() > 0, throughput.toString());
    }
}
