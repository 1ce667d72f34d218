package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.speechalign.contracts.Json;
import org.speechalign.embedded.EmbeddedRuntime;
import org.speechalign.embedded.SharedTestRuntime;

/** The bench code on the shared runtime, with logs: {@code -Dbench=true} (off in the normal build). */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class PairingBenchSmokeTest {

    @Test
    void benchRuns() throws Exception {
        EmbeddedRuntime rt = SharedTestRuntime.get();
        Path state = Files.createTempDirectory(Path.of("target"), "bench-state");
        int rate = Integer.getInteger("bench.rate", 1000);
        int seconds = Integer.getInteger("bench.seconds", 10);
        int pairs = Integer.getInteger("bench.pairs", 5000);
        Map<String, Object> r = new PairingBench(new PairingBench.Options(rt.kafka().bootstrapServers(), rt.postgres().jdbcUrl(),
                rt.postgres().user(), "", state, rate, seconds, pairs)).run();
        System.out.println("BENCH " + Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        assertEquals("pairing", r.get("bench"));
    }
}
