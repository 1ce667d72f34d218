package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.speechalign.prefbuilder.Events.T0;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.contracts.Comparison;
import org.speechalign.contracts.DeadLetter;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Preference;
import org.speechalign.contracts.Rating;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Validation;

/** Every pairing rule, the rater aggregation, the grace period and the DLQ path, on TopologyTestDriver. */
class PrefBuilderTopologyTest {

    static final PrefTopics TOPICS = PrefTopics.PLATFORM;
    static final PairingPolicy POLICY = PairingPolicy.DEFAULTS; // min 3 raters, low ≤ 2.0, margin 1.0, grace 6 h

    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    Counters counters;
    TestInputTopic<String, byte[]> golden;
    TestInputTopic<String, byte[]> syntheses;
    TestInputTopic<String, byte[]> ratings;
    TestInputTopic<String, byte[]> comparisons;
    TestOutputTopic<String, byte[]> preferences;

    @BeforeEach
    void start() {
        counters = new Counters();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "pref-builder-ttd");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(PrefBuilderTopology.build(TOPICS, POLICY, counters), p);
        golden = input(TOPICS.golden());
        syntheses = input(TOPICS.synthesis());
        ratings = input(TOPICS.ratings());
        comparisons = input(TOPICS.comparisons());
        preferences = driver.createOutputTopic(TOPICS.preferences(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TestInputTopic<String, byte[]> input(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer());
    }

    private void send(TestInputTopic<String, byte[]> topic, String key, Object event) {
        topic.pipeInput(key, Json.write(event));
    }

    private void golden(GoldenUtterance g) {
        send(golden, g.utteranceId(), g);
    }

    private void synth(Synthesis s) {
        send(syntheses, s.synthesisId(), s);
    }

    private void rate(Rating r) {
        send(ratings, r.synthesisId(), r);
    }

    private void compare(Comparison c) {
        send(comparisons, c.comparisonId(), c);
    }

    /** Distinct pairs emitted so far (a pair may be re-emitted when an input is updated: same id, same content). */
    private List<Preference> pairs() {
        List<Preference> out = new ArrayList<>();
        for (TestRecord<String, byte[]> r : preferences.readRecordsToList()) {
            Preference p = read(r.value());
            assertEquals(p.pairId(), r.key(), "record key is the pair id");
            assertEquals(List.of(), Validation.preference(p), "every emitted pair is a valid event");
            if (out.stream().noneMatch(q -> q.pairId().equals(p.pairId()))) {
                out.add(p);
            }
        }
        return out;
    }

    private static Preference read(byte[] json) {
        return read(json, Preference.class);
    }

    private static <T> T read(byte[] json, Class<T> type) {
        try {
            return Validation.readValid(json, type);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<DeadLetter> deadLetters(String topic) {
        List<DeadLetter> out = new ArrayList<>();
        for (byte[] v : driver.createOutputTopic(PrefTopics.dlq(topic), new StringDeserializer(), new ByteArrayDeserializer()).readValuesToList()) {
            try {
                out.add(Json.read(v, DeadLetter.class));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ golden_vs_synthetic

    @Test
    void goldenVsSyntheticPairsASelfPlaySynthesisOfATrainUtterance() {
        GoldenUtterance g = Events.golden("u1", "hello there", GoldenUtterance.Split.TRAIN);
        golden(g);
        Synthesis s = Events.selfPlay("s1", g, T0);
        synth(s);

        List<Preference> pairs = pairs();
        assertEquals(1, pairs.size());
        Preference p = pairs.get(0);
        assertEquals(Preference.Source.GOLDEN_VS_SYNTHETIC, p.source());
        assertEquals("u1", p.chosen().utteranceId());
        assertArrayEquals(g.tokens(), p.chosen().tokens());
        assertEquals("s1", p.rejected().synthesisId());
        assertArrayEquals(s.tokens(), p.rejected().tokens());
        assertEquals("v1", p.rejectedModelVersion());
        assertEquals(T0, p.createdAt());
        assertEquals(Preference.pairIdOf(p.source(), p.chosen(), p.rejected()), p.pairId());
    }

    @Test
    void aSynthesisBeforeItsGoldenUtterancePairsWhenTheGoldenArrives() {
        GoldenUtterance g = Events.golden("u2", "late golden", GoldenUtterance.Split.TRAIN);
        synth(Events.selfPlay("s2", g, T0));
        assertEquals(0, pairs().size(), "no golden yet");
        golden(g);
        assertEquals(1, pairs().size());
    }

    @Test
    void aTestSplitUtteranceNeverYieldsAPair() {
        GoldenUtterance g = Events.golden("u-test", "held out sentence", GoldenUtterance.Split.TEST);
        golden(g);
        synth(Events.selfPlay("s-test", g, T0));
        Synthesis p1 = Events.product("p-test-1", "u-test", g.text(), "v1", T0);
        Synthesis p2 = Events.product("p-test-2", "u-test", g.text(), "v2", T0);
        synth(p1);
        synth(p2);
        for (int i = 0; i < 3; i++) {
            rate(Events.rating("r-a" + i, "p-test-1", "rater" + i, 1, T0.plusSeconds(i)));
            rate(Events.rating("r-b" + i, "p-test-2", "rater" + i, 5, T0.plusSeconds(i)));
        }
        compare(Events.comparison("c-test", "p-test-1", "p-test-2", Comparison.Winner.B, T0));
        assertEquals(List.of(), pairs());
    }

    @Test
    void aSynthesisNamingAGoldenUtteranceNotYetArrivedIsHeldBackNotPaired() {
        // It might be a test sentence: rating_ranked and comparison wait for the golden record.
        Synthesis a = Events.product("hb-a", "u-unknown", "same words", "v1", T0);
        Synthesis b = Events.product("hb-b", "u-unknown", "same words", "v2", T0);
        synth(a);
        synth(b);
        compare(Events.comparison("c-hb", "hb-a", "hb-b", Comparison.Winner.A, T0));
        assertEquals(List.of(), pairs());
        golden(Events.golden("u-unknown", "same words", GoldenUtterance.Split.TEST));
        assertEquals(List.of(), pairs(), "test split: still nothing");
    }

    // ------------------------------------------------------------------ golden_vs_low_rated + aggregation

    @Test
    void goldenVsLowRatedNeedsTheMinimumRaterCountAndALowMean() {
        GoldenUtterance g = Events.golden("u3", "rate me", GoldenUtterance.Split.TRAIN);
        golden(g);
        synth(Events.product("p3", "u3", g.text(), "v7", T0));
        rate(Events.rating("r1", "p3", "alice", 1, T0.plusSeconds(1)));
        rate(Events.rating("r2", "p3", "bob", 2, T0.plusSeconds(2)));
        assertEquals(List.of(), pairs(), "2 raters < minimum 3");
        rate(Events.rating("r3", "p3", "carol", 3, T0.plusSeconds(3)));
        List<Preference> pairs = pairs();
        assertEquals(1, pairs.size(), "mean 2.0 ≤ 2.0 with 3 raters");
        Preference p = pairs.get(0);
        assertEquals(Preference.Source.GOLDEN_VS_LOW_RATED, p.source());
        assertEquals("u3", p.chosen().utteranceId());
        assertEquals("p3", p.rejected().synthesisId());
        assertEquals("v7", p.rejectedModelVersion());
        assertEquals(T0.plusSeconds(3), p.createdAt(), "the newest input's time, not the clock");
    }

    @Test
    void aggregationCountsDistinctRatersOnceAndIgnoresRedeliveries() {
        GoldenUtterance g = Events.golden("u4", "again", GoldenUtterance.Split.TRAIN);
        golden(g);
        synth(Events.product("p4", "u4", g.text(), "v1", T0));
        Rating first = Events.rating("r4a", "p4", "alice", 1, T0.plusSeconds(1));
        rate(first);
        rate(first); // exact re-delivery
        rate(Events.rating("r4b", "p4", "alice", 1, T0.plusSeconds(2))); // same rater again: replaces, not adds
        rate(Events.rating("r4c", "p4", "bob", 1, T0.plusSeconds(3)));
        assertEquals(List.of(), pairs(), "only 2 distinct raters");
        assertEquals(1, counters.duplicates.get());
        rate(Events.rating("r4d", "p4", "carol", 5, T0.plusSeconds(4))); // mean (1+1+5)/3 = 2.33 > 2
        assertEquals(List.of(), pairs());
        rate(Events.rating("r4e", "p4", "carol", 2, T0.plusSeconds(5))); // carol changes her mind: mean 1.33
        assertEquals(1, pairs().size());
    }

    @Test
    void aRatingBeforeItsSynthesisStillPairs() {
        GoldenUtterance g = Events.golden("u5", "racing", GoldenUtterance.Split.TRAIN);
        golden(g);
        for (int i = 0; i < 3; i++) {
            rate(Events.rating("r5" + i, "p5", "rater" + i, 1, T0.plusSeconds(10 + i)));
        }
        assertEquals(List.of(), pairs());
        synth(Events.product("p5", "u5", g.text(), "v1", T0));
        assertEquals(1, pairs().size());
    }

    // ------------------------------------------------------------------ rating_ranked

    @Test
    void ratingRankedPairsSynthesesOfTheSameTextWhoseMeansDifferByTheMargin() {
        synth(Events.product("rk-a", null, "free text", "v1", T0));
        synth(Events.product("rk-b", null, "free text", "v2", T0));
        synth(Events.product("rk-c", null, "free text", "v3", T0));
        synth(Events.product("rk-other", null, "other text", "v3", T0));
        String[] raters = {"a", "b", "c"};
        int[] scoresA = {5, 4, 4};   // 4.33
        int[] scoresB = {2, 2, 3};   // 2.33  → differs from A by 2.0
        int[] scoresC = {4, 4, 3};   // 3.67  → 0.67 from A (< margin), 1.33 from B
        int[] scoresO = {1, 1, 1};   // other text: never paired with these
        for (int i = 0; i < 3; i++) {
            rate(Events.rating("rk-a" + i, "rk-a", raters[i], scoresA[i], T0.plusSeconds(i)));
            rate(Events.rating("rk-b" + i, "rk-b", raters[i], scoresB[i], T0.plusSeconds(i)));
            rate(Events.rating("rk-c" + i, "rk-c", raters[i], scoresC[i], T0.plusSeconds(i)));
            rate(Events.rating("rk-o" + i, "rk-other", raters[i], scoresO[i], T0.plusSeconds(i)));
        }
        List<String> got = pairs().stream()
                .peek(p -> assertEquals(Preference.Source.RATING_RANKED, p.source()))
                .map(p -> p.chosen().synthesisId() + ">" + p.rejected().synthesisId()).sorted().toList();
        assertEquals(List.of("rk-a>rk-b", "rk-c>rk-b"), got);
    }

    // ------------------------------------------------------------------ comparison

    @Test
    void comparisonsPairWinnerOverLoserAndDropTies() {
        synth(Events.product("cm-a", null, "compare me", "v1", T0));
        synth(Events.product("cm-b", null, "compare me", "v2", T0));
        compare(Events.comparison("c1", "cm-a", "cm-b", Comparison.Winner.A, T0.plusSeconds(5)));
        compare(Events.comparison("c2", "cm-a", "cm-b", Comparison.Winner.TIE, T0.plusSeconds(6)));
        compare(Events.comparison("c3", "cm-b", "cm-a", Comparison.Winner.A, T0.plusSeconds(7)));
        List<TestRecord<String, byte[]>> records = preferences.readRecordsToList();
        assertEquals(2, records.size());
        Preference p1 = read(records.get(0).value());
        assertEquals(Preference.Source.COMPARISON, p1.source());
        assertEquals("cm-a", p1.chosen().synthesisId());
        assertEquals("cm-b", p1.rejected().synthesisId());
        assertEquals("v2", p1.rejectedModelVersion());
        assertEquals(T0.plusSeconds(5), p1.createdAt());
        assertEquals("c1", new String(records.get(0).headers().lastHeader(PrefBuilderTopology.COMPARISON_ID_HEADER).value(), StandardCharsets.UTF_8));
        Preference p3 = read(records.get(1).value());
        assertEquals("cm-b", p3.chosen().synthesisId());
        assertEquals(1, counters.ties.get());
    }

    @Test
    void aComparisonBeforeItsSynthesesPairsWhenBothArrive() {
        compare(Events.comparison("c-early", "ce-a", "ce-b", Comparison.Winner.B, T0.plusSeconds(5)));
        synth(Events.product("ce-a", null, "early choice", "v1", T0));
        assertEquals(List.of(), pairs());
        synth(Events.product("ce-b", null, "early choice", "v2", T0));
        List<Preference> pairs = pairs();
        assertEquals(1, pairs.size());
        assertEquals("ce-b", pairs.get(0).chosen().synthesisId());
    }

    // ------------------------------------------------------------------ grace period

    @Test
    void inputOlderThanTheGracePeriodIsLateCountedAndKeptOnTheDlq() {
        GoldenUtterance g = Events.golden("u6", "late rating", GoldenUtterance.Split.TRAIN);
        golden(g);
        synth(Events.product("p6", "u6", g.text(), "v1", T0.plus(Duration.ofHours(10))));
        rate(Events.rating("r6a", "p6", "a", 1, T0.plus(Duration.ofHours(10))));
        rate(Events.rating("r6b", "p6", "b", 1, T0.plus(Duration.ofHours(9)))); // 1 h behind: within grace
        Rating late = Events.rating("r6c", "p6", "c", 1, T0.plus(Duration.ofHours(3))); // 7 h behind: late
        rate(late);
        assertEquals(List.of(), pairs(), "the late rating does not count");
        assertEquals(1, counters.late.get());
        List<DeadLetter> dlq = deadLetters(TOPICS.ratings());
        assertEquals(1, dlq.size());
        assertTrue(dlq.get(0).reason().startsWith("late: "), dlq.get(0).reason());
        assertArrayEquals(Json.write(late), dlq.get(0).value(), "original bytes kept: replayable");
        assertEquals(TOPICS.ratings(), dlq.get(0).sourceTopic());
        rate(Events.rating("r6d", "p6", "d", 1, T0.plus(Duration.ofHours(8))));
        assertEquals(1, pairs().size(), "an on-time third rater completes the pair");
    }

    @Test
    void ratingsWhoseSynthesisNeverArrivesExpireAfterTheGracePeriodIntoTheDlq() {
        rate(Events.rating("r9a", "ghost", "a", 1, T0)); // its synthesis never arrives
        rate(Events.rating("r9b", "kept", "a", 1, T0));  // its synthesis arrives
        synth(Events.product("kept", null, "kept text", "v1", T0));
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertEquals(0, counters.expired.get(), "within the grace period nothing expires");
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.PENDING_RATINGS_STORE).get("kept"), "no longer pending");
        assertNotNull(driver.getKeyValueStore(PrefBuilderTopology.PENDING_RATINGS_STORE).get("ghost"));

        // the partition's newest created_at moves 7 h on (grace 6 h); the next check expires "ghost"
        synth(Events.product("p9-later", null, "another text", "v1", T0.plus(Duration.ofHours(7))));
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertEquals(1, counters.expired.get());
        List<DeadLetter> dlq = deadLetters(TOPICS.ratings());
        assertEquals(1, dlq.size());
        assertTrue(dlq.get(0).reason().startsWith("expired: "), dlq.get(0).reason());
        assertEquals("ghost", new String(dlq.get(0).key(), StandardCharsets.UTF_8));
        assertTrue(new String(dlq.get(0).value(), StandardCharsets.UTF_8).contains("r9a"), "the summary names its ratings");
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.RATINGS_STORE).get("ghost"), "deleted from the ratings table");
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.PENDING_RATINGS_STORE).get("ghost"));
        assertNotNull(driver.getKeyValueStore(PrefBuilderTopology.RATINGS_STORE).get("kept"), "a rated synthesis stays");

        // the synthesis arriving after that is late by the same rule: counted and on its DLQ, never paired
        synth(Events.product("ghost", null, "ghost text", "v1", T0));
        assertEquals(1, counters.late.get());
        assertEquals(1, deadLetters(TOPICS.synthesis()).size());
    }

    @Test
    void firstWinsIdsAreForgottenAfterTheGracePeriodAndAReDeliveryIsThenLate() {
        GoldenUtterance g = Events.golden("u10", "forget me", GoldenUtterance.Split.TRAIN);
        golden(g);
        Synthesis s = Events.selfPlay("s10", g, T0);
        synth(s);
        rate(Events.rating("r10", "s10", "a", 4, T0));
        compare(Events.comparison("c10", "s10", "x10", Comparison.Winner.A, T0));
        assertEquals(1, pairs().size());
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertEquals(0, counters.forgotten.get(), "within the grace period every id is kept");
        assertNotNull(driver.getKeyValueStore(PrefBuilderTopology.SEEN_SYNTHESES_STORE).get("s10"));

        // both watermarks (synthesis_id partition, comparison_id partition) move 7 h on (grace 6 h)
        synth(Events.product("p10-later", null, "later text", "v1", T0.plus(Duration.ofHours(7))));
        compare(Events.comparison("c10-later", "s10", "x10", Comparison.Winner.B, T0.plus(Duration.ofHours(7))));
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertEquals(3, counters.forgotten.get(), "s10, r10 and c10");
        for (String[] storeAndId : new String[][] {{PrefBuilderTopology.SEEN_SYNTHESES_STORE, "s10"},
                {PrefBuilderTopology.SEEN_RATINGS_STORE, "r10"}, {PrefBuilderTopology.SEEN_COMPARISONS_STORE, "c10"}}) {
            assertNull(driver.getKeyValueStore(storeAndId[0]).get(storeAndId[1]), storeAndId[1] + " forgotten");
            assertEquals(0, count(Validator.timeIndex(storeAndId[0]), storeAndId[1]), storeAndId[1] + " gone from the time index");
        }
        assertNotNull(driver.getKeyValueStore(PrefBuilderTopology.SEEN_SYNTHESES_STORE).get("p10-later"), "newer ids stay");
        assertEquals(1, count(Validator.timeIndex(PrefBuilderTopology.SEEN_SYNTHESES_STORE), "p10-later"));

        // a re-delivery of a forgotten id is late (its DLQ), not a second first version: no pair again
        synth(s);
        rate(Events.rating("r10", "s10", "a", 4, T0));
        assertEquals(List.of(), pairs());
        assertEquals(2, counters.late.get());
        assertTrue(deadLetters(TOPICS.synthesis()).get(0).reason().startsWith("late: "));
        assertEquals(0, counters.duplicates.get());
    }

    @Test
    void aSynthesisWhoseGoldenNeverArrivesExpiresAfterTheGracePeriodIntoTheDlq() {
        GoldenUtterance g = Events.golden("u11", "here in time", GoldenUtterance.Split.TRAIN);
        golden(g);
        synth(Events.selfPlay("s11-ok", g, T0));
        synth(Events.selfPlay("s11-wait", Events.golden("u11-missing", "never comes", GoldenUtterance.Split.TRAIN), T0));
        assertEquals(1, pairs().size(), "only the synthesis whose golden is here pairs");
        var awaiting = driver.getKeyValueStore(PrefBuilderTopology.SYNTHESES_AWAITING_GOLDEN_STORE);
        assertNotNull(awaiting.get("s11-wait"));
        assertNull(awaiting.get("s11-ok"));
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        synth(Events.product("p11-soon", null, "soon text", "v1", T0.plus(Duration.ofHours(1))));
        assertEquals(0, counters.expired.get(), "within the grace period nothing expires");

        // the sweep falls due on the wall clock and runs with the partition's next synthesis, which here
        // also moves the watermark 7 h on (grace 6 h)
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertEquals(0, counters.expired.get());
        synth(Events.product("p11-later", null, "later text", "v1", T0.plus(Duration.ofHours(7))));
        assertEquals(1, counters.expired.get());
        List<DeadLetter> dlq = deadLetters(TOPICS.synthesis());
        assertEquals(1, dlq.size());
        assertTrue(dlq.get(0).reason().startsWith("expired: golden utterance u11-missing"), dlq.get(0).reason());
        assertEquals("s11-wait", new String(dlq.get(0).key(), StandardCharsets.UTF_8));
        assertEquals("s11-wait", read(dlq.get(0).value(), Synthesis.class).synthesisId(), "the value is the synthesis");
        assertNull(awaiting.get("s11-wait"));
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.SYNTHESES_STORE).get("s11-wait"), "deleted from the syntheses table");
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.ENRICHED_STORE).get("s11-wait"), "and from the syntheses-with-golden store");
        assertNotNull(driver.getKeyValueStore(PrefBuilderTopology.ENRICHED_STORE).get("s11-ok"), "a paired synthesis stays");

        // the golden record arriving after that pairs nothing, nor does a rating of the expired synthesis
        golden(Events.golden("u11-missing", "never comes", GoldenUtterance.Split.TRAIN));
        for (String rater : List.of("a", "b", "c")) {
            rate(Events.rating("r11" + rater, "s11-wait", rater, 1, T0.plus(Duration.ofHours(7))));
        }
        assertEquals(List.of(), pairs());
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.ENRICHED_STORE).get("s11-wait"));
    }

    @Test
    void aRatingOfASynthesisOlderThanTheGracePeriodIsNotTakenForOneWhoseSynthesisNeverCame() {
        synth(Events.product("s12", null, "old synthesis", "v1", T0));
        synth(Events.product("p12-later", null, "later text", "v1", T0.plus(Duration.ofHours(7))));
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.SEEN_SYNTHESES_STORE).get("s12"), "its id is forgotten");
        rate(Events.rating("r12", "s12", "a", 2, T0.plus(Duration.ofHours(7))));
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.PENDING_RATINGS_STORE).get("s12"), "its synthesis is in the table");
        synth(Events.product("p12-much-later", null, "later text", "v1", T0.plus(Duration.ofHours(14))));
        driver.advanceWallClockTime(PrefBuilderTopology.EXPIRY_INTERVAL);
        assertEquals(0, counters.expired.get());
        assertNotNull(driver.getKeyValueStore(PrefBuilderTopology.RATINGS_STORE).get("s12"));
    }

    private long count(String store, String id) {
        long n = 0;
        try (var it = driver.<String, String>getKeyValueStore(store).all()) {
            while (it.hasNext()) {
                if (it.next().key.endsWith("|" + id)) {
                    n++;
                }
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ DLQ

    @Test
    void invalidInputGoesToItsDlqWithTheReasonAndProcessingGoesOn() {
        ratings.pipeInput("p7", "{not json".getBytes(StandardCharsets.UTF_8));
        rate(Events.rating("r7a", "p7", "a", 7, T0));                                  // score out of range
        send(ratings, "wrong-key", Events.rating("r7b", "p7", "b", 1, T0));           // key ≠ synthesis_id
        ratings.pipeInput((String) null, Json.write(Events.rating("r7c", "p7", "c", 1, T0)));
        syntheses.pipeInput("x", "{\"synthesis_id\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        golden.pipeInput("g", "[]".getBytes(StandardCharsets.UTF_8));
        comparisons.pipeInput("c", Json.write(Events.comparison("c", "a", "a", Comparison.Winner.A, T0)));

        List<DeadLetter> dlq = deadLetters(TOPICS.ratings());
        assertEquals(4, dlq.size());
        assertTrue(dlq.get(0).reason().contains("(body)"), dlq.get(0).reason());
        assertTrue(dlq.get(1).reason().startsWith("score"), dlq.get(1).reason());
        assertTrue(dlq.get(2).reason().contains("must equal synthesis_id"), dlq.get(2).reason());
        assertTrue(dlq.get(3).reason().contains("key is required"), dlq.get(3).reason());
        assertEquals("{not json", new String(dlq.get(0).value(), StandardCharsets.UTF_8));
        assertEquals(1, deadLetters(TOPICS.synthesis()).size());
        assertEquals(1, deadLetters(TOPICS.golden()).size());
        assertTrue(deadLetters(TOPICS.comparisons()).get(0).reason().startsWith("synthesis_b"));
        assertEquals(7, counters.invalid.get());

        // and the valid records after them still pair
        GoldenUtterance g = Events.golden("u7", "after the bad ones", GoldenUtterance.Split.TRAIN);
        golden(g);
        synth(Events.selfPlay("s7", g, T0));
        assertEquals(1, pairs().size());
    }

    @Test
    void aKnownIdWithAnotherPayloadGoesToTheDlqAndTheFirstVersionWins() {
        GoldenUtterance g = Events.golden("u8", "first wins", GoldenUtterance.Split.TRAIN);
        golden(g);
        Synthesis first = Events.selfPlay("s8", g, T0);
        synth(first);
        Synthesis other = new Synthesis("s8", first.origin(), first.utteranceId(), first.text(), first.speaker(),
                first.phones(), Events.tokens(999), "v-other", first.sampling(), first.createdAt());
        synth(other);
        synth(first);
        List<Preference> pairs = pairs();
        assertEquals(1, pairs.size());
        assertEquals("v1", pairs.get(0).rejectedModelVersion());
        List<DeadLetter> dlq = deadLetters(TOPICS.synthesis());
        assertEquals(1, dlq.size());
        assertTrue(dlq.get(0).reason().contains("already accepted with a different payload"), dlq.get(0).reason());
        assertEquals(1, counters.duplicates.get());
        assertNull(driver.getKeyValueStore(PrefBuilderTopology.SYNTHESES_STORE).get("nope"));
    }
}
