package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrefBuilderServiceTest {

    static final Map<String, String> ENV = Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092", "DATABASE_URL", "jdbc:postgresql://env/db",
            "BATCH_THRESHOLD", "100", "BATCH_MAX_AGE", "PT1H");

    @Test
    void propertiesOverrideTheEnvironmentIncludingTheBatchPolicy() {
        PrefBuilderConfig c = PrefBuilderService.config(Map.of(
                "kafka.bootstrap-servers", "localhost:19092",
                PrefBuilderService.STATE_DIR_PROPERTY, "/tmp/pb-state",
                PrefBuilderService.BATCH_THRESHOLD_PROPERTY, 64,
                PrefBuilderService.BATCH_MAX_AGE_PROPERTY, "PT10M",
                PrefBuilderService.BATCH_CHECK_INTERVAL_PROPERTY, "PT0.5S"), ENV);
        assertEquals("localhost:19092", c.bootstrapServers());
        assertEquals("jdbc:postgresql://env/db", c.jdbcUrl());
        assertEquals(Path.of("/tmp/pb-state"), c.stateDir());
        assertEquals(new BatchPolicy(64, Duration.ofMinutes(10), Duration.ofMillis(500)), c.batching());
    }

    @Test
    void withoutPropertiesTheEnvironmentAndDefaultsApply() {
        PrefBuilderConfig c = PrefBuilderService.config(Map.of(), ENV);
        assertEquals(new BatchPolicy(100, Duration.ofHours(1), BatchPolicy.DEFAULTS.checkInterval()), c.batching());
        assertEquals(PairingPolicy.DEFAULTS, c.pairing());
    }
}
