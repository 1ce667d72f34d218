package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.speechalign.prefbuilder.Events.T0;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Synthesis;

/** pref-builder against the real embedded broker and PostgreSQL. */
class PrefBuilderIntegrationTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final PairingPolicy POLICY = PairingPolicy.DEFAULTS;

    /** Golden, self-play, product, ratings and comparisons, including a test-split utterance. Returns the expected pair count. */
    static int scenario(Harness h) {
        PrefTopics t = h.topics;
        GoldenUtterance train = Events.golden("u-train", "the train sentence", GoldenUtterance.Split.TRAIN);
        GoldenUtterance test = Events.golden("u-test", "the held out sentence", GoldenUtterance.Split.TEST);
        // out of order on purpose: ratings and a comparison before their syntheses, a synthesis before its golden
        for (int i = 0; i < 3; i++) {
            h.send(t.ratings(), "p-low", Events.rating("r-low-" + i, "p-low", "rater" + i, 1, T0.plusSeconds(20 + i)));
            h.send(t.ratings(), "p-test", Events.rating("r-test-" + i, "p-test", "rater" + i, 1, T0.plusSeconds(20 + i)));
            h.send(t.ratings(), "f-a", Events.rating("r-fa-" + i, "f-a", "rater" + i, 5, T0.plusSeconds(20 + i)));
            h.send(t.ratings(), "f-b", Events.rating("r-fb-" + i, "f-b", "rater" + i, 2, T0.plusSeconds(20 + i)));
        }
        h.send(t.comparisons(), "c-1", Events.comparison("c-1", "f-a", "f-b", Comparison.Winner.A, T0.plusSeconds(30)));
        h.send(t.comparisons(), "c-tie", Events.comparison("c-tie", "f-a", "f-b", Comparison.Winner.TIE, T0.plusSeconds(31)));
        h.send(t.synthesis(), "s-train", Events.selfPlay("s-train", train, T0));
        h.send(t.synthesis(), "s-test", Events.selfPlay("s-test", test, T0));
        h.send(t.synthesis(), "p-low", Events.product("p-low", "u-train", train.text(), "v1", T0));
        h.send(t.synthesis(), "p-test", Events.product("p-test", "u-test", test.text(), "v1", T0));
        h.send(t.synthesis(), "f-a", Events.product("f-a", null, "free text", "v2", T0));
        h.send(t.synthesis(), "f-b", Events.product("f-b", null, "free text", "v1", T0));
        h.send(t.golden(), "u-train", train);
        h.send(t.golden(), "u-test", test);
        h.send(t.ratings(), "f-a", "{\"broken\": ".getBytes()); // to the DLQ, processing goes on
        return 4; // golden_vs_synthetic s-train, golden_vs_low_rated p-low, rating_ranked f-a>f-b, comparison f-a>f-b
    }

    @Test
    void inputsBecomeTheRightPairsInPostgresAndATestSplitUtteranceNone() throws Exception {
        try (Harness h = new Harness("pairs");
             PrefBuilderApp app = PrefBuilderApp.start(h.config("i1", POLICY, BatchPolicy.DEFAULTS))) {
            int expected = scenario(h);
            Harness.await(TIMEOUT, "pairs in PostgreSQL", () -> h.count("SELECT count(*) FROM preference_pairs") >= expected
                    && h.count("SELECT count(*) FROM syntheses") == 6 && h.count("SELECT count(*) FROM golden_utterances") == 2);
            assertEquals(List.of(
                            "comparison f-a>f-b c-1",
                            "golden_vs_low_rated u-train>p-low null",
                            "golden_vs_synthetic u-train>s-train null",
                            "rating_ranked f-a>f-b null"),
                    h.strings("""
                            SELECT source || ' ' || coalesce(chosen_synthesis_id, chosen_utterance_id) || '>'
                                   || coalesce(rejected_synthesis_id, rejected_utterance_id) || ' ' || coalesce(comparison_id, 'null')
                            FROM preference_pairs ORDER BY 1"""));
            assertEquals(0, h.count("""
                    SELECT count(*) FROM preference_pairs
                    WHERE utterance_id = 'u-test' OR rejected_synthesis_id IN ('s-test', 'p-test') OR chosen_utterance_id = 'u-test'"""),
                    "a test-split utterance never yields a pair");
            Harness.await(TIMEOUT, "the broken rating on the DLQ", () -> !h.readAll(PrefTopics.dlq(h.topics.ratings())).isEmpty());
            assertEquals(1, app.counters().ties.get());
        }
    }

    @Test
    void replayingEveryInputTopicFromTheStartLeavesEveryTableUnchanged() throws Exception {
        BatchPolicy batches = new BatchPolicy(2, Duration.ofMinutes(30), Duration.ofMillis(200));
        try (Harness h = new Harness("replay")) {
            List<String> before;
            try (PrefBuilderApp app = PrefBuilderApp.start(h.config("i1", POLICY, batches))) {
                int expected = scenario(h);
                Harness.await(TIMEOUT, "pairs and batches", () -> h.count("SELECT count(*) FROM preference_pairs") == expected
                        && h.count("SELECT count(*) FROM training_batches b JOIN training_batch_announcements a USING (batch_id)") == expected / 2);
                // everything the first run will ever do is done when its groups have consumed everything
                Harness.await(TIMEOUT, "caught up", () -> h.caughtUp(h.name + "-app", h.topics.inputs())
                        && h.caughtUp(h.name + "-sink", List.of(h.topics.preferences(), h.topics.synthesis(), h.topics.golden())));
                before = snapshot(h);
                // 1. a producer replays every input record once more
                scenario(h);
                Harness.await(TIMEOUT, "replayed input consumed", () -> h.caughtUp(h.name + "-app", h.topics.inputs())
                        && h.caughtUp(h.name + "-sink", List.of(h.topics.preferences(), h.topics.synthesis(), h.topics.golden())));
            }
            assertEquals(before, snapshot(h), "re-sent inputs change nothing");
            // 2. a fresh application (new application.id and sink group) reprocesses every topic from offset 0
            PrefBuilderConfig fresh = h.config("i2", POLICY, batches).withIds(h.name + "-app2", h.name + "-sink2", "i2");
            try (PrefBuilderApp app = PrefBuilderApp.start(fresh)) {
                Harness.await(TIMEOUT, "fresh app caught up", () -> h.caughtUp(h.name + "-app2", h.topics.inputs())
                        && h.caughtUp(h.name + "-sink2", List.of(h.topics.preferences(), h.topics.synthesis(), h.topics.golden())));
            }
            assertEquals(before, snapshot(h), "reprocessing from the start changes nothing");
        }
    }

    static List<String> snapshot(Harness h) throws Exception {
        List<String> all = new java.util.ArrayList<>();
        all.addAll(h.dump("preference_pairs", "pair_id"));
        all.addAll(h.dump("syntheses", "synthesis_id"));
        all.addAll(h.dump("golden_utterances", "utterance_id"));
        all.addAll(h.dump("training_batches", "batch_id"));
        return all;
    }

    @Test
    void twoInstancesAtOnceCreateEachBatchExactlyOnce() throws Exception {
        int n = 240;
        int threshold = 20;
        BatchPolicy batches = new BatchPolicy(threshold, Duration.ofMinutes(30), Duration.ofMillis(50));
        try (Harness h = new Harness("twin");
             PrefBuilderApp a = PrefBuilderApp.start(h.config("a", POLICY, batches));
             PrefBuilderApp b = PrefBuilderApp.start(h.config("b", POLICY, batches))) {
            for (int i = 0; i < n; i++) {
                GoldenUtterance g = Events.golden("tw-u" + i, "sentence " + i, GoldenUtterance.Split.TRAIN);
                h.send(h.topics.golden(), g.utteranceId(), g);
                Synthesis s = Events.selfPlay("tw-s" + i, g, T0.plusMillis(i));
                h.send(h.topics.synthesis(), s.synthesisId(), s);
            }
            Harness.await(TIMEOUT, n + " pairs in " + n / threshold + " announced batches", () ->
                    h.count("SELECT count(*) FROM preference_pairs") == n
                            && h.count("SELECT count(*) FROM training_batches b JOIN training_batch_announcements a USING (batch_id)") == n / threshold);
            assertEquals(0, h.count("SELECT count(*) FROM preference_pairs WHERE batch_id IS NULL"));
            assertEquals(n / threshold, h.count("SELECT count(*) FROM training_batches WHERE pair_count = " + threshold));
            assertEquals(0, h.count("""
                    SELECT count(*) FROM training_batches b
                    WHERE pair_count <> (SELECT count(*) FROM preference_pairs p WHERE p.batch_id = b.batch_id)"""));
            List<ConsumerRecord<String, byte[]>> events = h.readAll(h.topics.trainingBatches());
            Set<String> ids = new HashSet<>();
            events.forEach(r -> ids.add(r.key()));
            assertEquals(new HashSet<>(h.strings("SELECT batch_id FROM training_batches")), ids);
            assertEquals(n / threshold, events.size(), "each batch announced once");
            assertTrue(a.counters().batchesCreated.get() + b.counters().batchesCreated.get() == n / threshold);
            System.out.printf("two instances: batches created a=%d b=%d%n", a.counters().batchesCreated.get(), b.counters().batchesCreated.get());
        }
    }
}
