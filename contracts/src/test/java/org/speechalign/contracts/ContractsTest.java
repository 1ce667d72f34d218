package org.speechalign.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ContractsTest {

    static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
    static final int[][] TOKENS = {{1, 2, 3}, {4, 5, 6}};
    static final List<PhoneFrames> PHONES = List.of(new PhoneFrames("pau", 2), new PhoneFrames("hh", 1));

    static List<Object> samples() {
        Preference.Side chosen = new Preference.Side(TOKENS, null, "utt-1");
        Preference.Side rejected = new Preference.Side(TOKENS, "syn-1", null);
        return List.of(
                new GoldenUtterance("utt-1", "Hello.", "slt", PHONES, TOKENS, new CodecSpec("codec2", "3200"),
                        GoldenUtterance.Split.TRAIN, "c1"),
                new Synthesis("syn-1", Synthesis.Origin.SELF_PLAY, "utt-1", "Hello.", "slt", PHONES, TOKENS, "v1",
                        new Synthesis.Sampling(0.8, 50, 0.95, 7L), T),
                new Rating("r-1", "syn-1", "rater-1", 4, T),
                new Comparison("c-1", "syn-1", "syn-2", Comparison.Winner.TIE, "rater-1", T),
                new Preference(Preference.pairIdOf(Preference.Source.GOLDEN_VS_SYNTHETIC, chosen, rejected),
                        Preference.Source.GOLDEN_VS_SYNTHETIC, "utt-1", "Hello.", "slt", PHONES, chosen, rejected,
                        "v1", T),
                new TrainingBatch("b-1", 128, T),
                new ModelVersion("default", "v2", "v1", "file:///m/abc", "a".repeat(64),
                        ModelVersion.Status.PROMOTED, Map.of("wer", 0.3), T));
    }

    @Test
    void everyEventRoundTripsAndIsValid() throws Exception {
        for (Object event : samples()) {
            byte[] json = Json.write(event);
            Object back = Json.read(json, event.getClass());
            assertEquals(Json.MAPPER.readTree(json), Json.MAPPER.readTree(Json.write(back)), event.getClass().getSimpleName());
            assertEquals(List.of(), Validation.validate(back), event.getClass().getSimpleName());
        }
    }

    @Test
    void fieldsAreSnakeCaseAndTimesIso() throws Exception {
        JsonNode node = Json.MAPPER.readTree(Json.write(new Comparison("c-1", "s1", "s2", Comparison.Winner.A, "r", T)));
        assertEquals("s1", node.get("synthesis_a").asText());
        assertEquals("a", node.get("winner").asText());
        assertEquals("2026-03-01T10:00:00Z", node.get("created_at").asText());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String json = "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":\"p\",\"score\":3,"
                + "\"created_at\":\"2026-03-01T10:00:00Z\",\"future_field\":{\"x\":[1,2]}}";
        Rating r = Json.read(json.getBytes(StandardCharsets.UTF_8), Rating.class);
        assertEquals(3, r.score());
    }

    @Test
    void readingErrorsNameTheField() {
        assertField("score", "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":\"p\",\"score\":\"5\"}", Rating.class);
        assertField("score", "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":\"p\",\"score\":4.5}", Rating.class);
        assertField("rater_id", "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":7,\"score\":4}", Rating.class);
        assertField("created_at", "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":\"p\",\"score\":4,\"created_at\":\"yesterday\"}", Rating.class);
        assertField("created_at", "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":\"p\",\"score\":4,\"created_at\":1700000000}", Rating.class);
        assertField("winner", "{\"comparison_id\":\"c\",\"synthesis_a\":\"a\",\"synthesis_b\":\"b\",\"winner\":\"c\",\"rater_id\":\"p\"}", Comparison.class);
        assertField("(body)", "{\"rating_id\":", Rating.class);
        assertField("(body)", "{} {}", Rating.class);
        assertField("(body)", "", Rating.class);
    }

    @Test
    void validationNamesTheField() {
        assertEquals(Set.of("score"), fields(Validation.rating(new Rating("r", "s", "p", 6, null))));
        assertEquals(Set.of("rater_id"), fields(Validation.rating(new Rating("r", "s", "x".repeat(129), 1, null))));
        assertEquals(Set.of("rating_id", "synthesis_id", "rater_id", "score"), fields(Validation.rating(new Rating(null, " ", null, null, null))));
        assertEquals(Set.of("created_at"), fields(Validation.rating(new Rating("r", "s", "p", 1, Instant.now().plusSeconds(3 * 86400)))));
        assertEquals(Set.of("synthesis_b"), fields(Validation.comparison(new Comparison("c", "s", "s", Comparison.Winner.A, "p", null))));
    }

    /** Inputs found by trying the HTTP API as a new user would (issue 5). */
    @Test
    void ambiguousOrMangledInputIsRefusedWithItsField() throws Exception {
        String r = "{\"rating_id\":\"r\",\"synthesis_id\":\"s\",\"rater_id\":\"p\",\"score\":3}";
        assertField("score", r.replace("3}", "9223372036854775808}"), Rating.class); // beyond long
        assertField("[0].score", "[" + r.replace("3}", "2147483648}") + "]", new com.fasterxml.jackson.core.type.TypeReference<List<Rating>>() { });
        // a repeated field is ambiguous, not "the last one wins"
        assertField("score", r.replace("\"score\":3", "\"score\":1,\"score\":5"), Rating.class);
        assertField("[1].rating_id", "[" + r + "," + r.replace("\"synthesis_id\"", "\"rating_id\":\"x\",\"synthesis_id\"") + "]",
                new com.fasterxml.jackson.core.type.TypeReference<List<Rating>>() { });
        // not UTF-8: an overlong '/' (Jackson would read it as '/'), an encoded surrogate, UTF-16
        byte[] ascii = r.getBytes(StandardCharsets.US_ASCII);
        assertField("(body)", bytesWith(ascii, r.indexOf("\"r\"") + 1, new byte[] {(byte) 0xC0, (byte) 0xAF}), Rating.class);
        assertField("(body)", bytesWith(ascii, r.indexOf("\"r\"") + 1, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}), Rating.class);
        assertField("(body)", r.getBytes(StandardCharsets.UTF_16LE), Rating.class);
        assertEquals(3, Json.read(("\uFEFF" + r).getBytes(StandardCharsets.UTF_8), Rating.class).score(), "a UTF-8 BOM is fine");
        assertEquals(-1, Json.invalidUtf8At("é😀ü€\u07FF\uFFFD".getBytes(StandardCharsets.UTF_8)));
        // winner exactly a, b or tie (Jackson trims enum names by itself)
        for (String w : List.of(" a", "A", "TIE", "c")) {
            assertField("winner", "{\"comparison_id\":\"c\",\"synthesis_a\":\"a\",\"synthesis_b\":\"b\",\"winner\":\"" + w
                    + "\",\"rater_id\":\"p\"}", Comparison.class);
        }
        // HTTP reads strictly: an unknown field (a typo of created_at) is named; topics' readers ignore it
        String typo = r.replace("}", ",\"created-at\":\"2026-03-01T10:00:00Z\"}");
        InvalidEvent unknown = assertThrows(InvalidEvent.class, () -> Json.readStrict(typo.getBytes(StandardCharsets.UTF_8),
                Json.MAPPER.constructType(Rating.class)));
        assertEquals("created-at", unknown.errors().get(0).field(), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("created_at"), "lists the known fields: " + unknown.getMessage());
        assertEquals(3, Json.read(typo.getBytes(StandardCharsets.UTF_8), Rating.class).score());
    }

    @Test
    void idsAreUnicodeTextWithoutControlsOrUnpairedSurrogates() {
        assertEquals(null, Validation.idProblem("rater-é😀"));
        assertEquals(null, Validation.idProblem("😀".repeat(64)));
        for (String bad : List.of("", "   ", "\u00A0\u2007", "a\u0000b", "a\nb", "a\u0085", "x\uD800", "\uDC00x", "x\uDBFF\uDBFF",
                "x".repeat(Validation.MAX_ID_LENGTH + 1))) {
            assertNotNull(Validation.idProblem(bad), bad);
        }
        assertEquals(Set.of("rating_id"), fields(Validation.rating(new Rating("r\uD800", "s", "p", 1, null))));
    }

    private static byte[] bytesWith(byte[] json, int at, byte[] inserted) {
        byte[] out = new byte[json.length + inserted.length];
        System.arraycopy(json, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(json, at, out, at + inserted.length, json.length - at);
        return out;
    }

    @Test
    void pairIdIsDeterministicAndOrderSensitive() {
        var a = new Preference.Side(TOKENS, null, "u");
        var b = new Preference.Side(new int[][] {{9}}, "s", null);
        assertEquals(Preference.pairIdOf(Preference.Source.COMPARISON, a, b), Preference.pairIdOf(Preference.Source.COMPARISON, a, b));
        assertTrue(!Preference.pairIdOf(Preference.Source.COMPARISON, a, b).equals(Preference.pairIdOf(Preference.Source.COMPARISON, b, a)));
        assertEquals(32, Preference.pairIdOf(Preference.Source.COMPARISON, a, b).length());
    }

    @Test
    void deadLetterKeepsOriginalBytes() throws Exception {
        byte[] original = {0, 1, 2, (byte) 0xff, '{'};
        DeadLetter dl = new DeadLetter(Topics.RATINGS, 2, 42L, "k".getBytes(), original, "score: must be 1-5", "test", T);
        DeadLetter back = Json.read(Json.write(dl), DeadLetter.class);
        assertArrayEquals(original, back.value());
        assertEquals(42L, back.sourceOffset());
    }

    @Test
    void topicsHaveDlqsAndDefaultPartitions() {
        assertEquals(7, Topics.ALL.size());
        assertEquals(14, new HashSet<>(Topics.allNamesWithDlq()).size());
        assertEquals("speech.ratings.v1.dlq", Topics.byName(Topics.RATINGS).orElseThrow().dlq());
        assertTrue(Topics.DEFAULT_PARTITIONS >= 3);
    }

    @Test
    void everyTopicHasASchemaMatchingItsRecord() throws Exception {
        for (Topics.Topic topic : Topics.ALL) {
            assertSchemaMatches(topic.schemaResource(), topic.eventType());
            JsonNode schema = schema(topic.schemaResource());
            assertTrue(schema.get("properties").has(topic.keyField()), topic.name() + " key field in schema");
        }
        assertSchemaMatches(Topics.DLQ_SCHEMA_RESOURCE, DeadLetter.class);
    }

    private static void assertSchemaMatches(String resource, Class<?> type) throws Exception {
        JsonNode schema = schema(resource);
        Set<String> schemaFields = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(schemaFields::add);
        Set<String> recordFields = Json.MAPPER.getSerializationConfig()
                .introspect(Json.MAPPER.constructType(type)).findProperties().stream()
                .map(BeanPropertyDefinition::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(recordFields, schemaFields, resource);
        for (JsonNode required : schema.get("required")) {
            assertTrue(recordFields.contains(required.asText()), resource + " requires unknown " + required);
        }
    }

    private static JsonNode schema(String resource) throws Exception {
        try (InputStream in = Topics.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, "missing schema " + resource);
            return Json.MAPPER.readTree(in);
        }
    }

    private static void assertField(String field, String json, Class<?> type) {
        assertField(field, json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static void assertField(String field, byte[] json, Class<?> type) {
        InvalidEvent e = assertThrows(InvalidEvent.class, () -> Json.read(json, type), new String(json, StandardCharsets.UTF_8));
        assertEquals(field, e.errors().get(0).field(), e.getMessage());
    }

    private static void assertField(String field, String json, com.fasterxml.jackson.core.type.TypeReference<?> type) {
        InvalidEvent e = assertThrows(InvalidEvent.class,
                () -> Json.read(json.getBytes(StandardCharsets.UTF_8), Json.MAPPER.constructType(type)), json);
        assertEquals(field, e.errors().get(0).field(), e.getMessage());
    }

    private static Set<String> fields(List<FieldError> errors) {
        return errors.stream().map(FieldError::field).collect(Collectors.toSet());
    }
}
