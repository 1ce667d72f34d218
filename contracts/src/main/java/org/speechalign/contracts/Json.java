package org.speechalign.contracts;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The JSON form of every event: snake_case fields, ISO-8601 timestamps, unknown fields ignored,
 * no silent type coercion ({@code "5"} is not a score, {@code 4.5} is not an integer).
 */
public final class Json {

    /** The one configured mapper; thread-safe. */
    public static final ObjectMapper MAPPER = create();

    private Json() {
    }

    public static ObjectMapper create() {
        ObjectMapper mapper = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(new JavaTimeModule())
                .addModule(new SimpleModule("strict-instant").addDeserializer(Instant.class, new StrictInstant())
                        .addSerializer(Instant.class, new IsoInstant()))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                // {"score":1,"score":5} is ambiguous: refused, not "the last one wins"
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        for (LogicalType textual : List.of(LogicalType.Textual, LogicalType.Enum)) {
            mapper.coercionConfigFor(textual)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull);
        }
        return mapper;
    }

    /** Timestamps are ISO-8601 strings with an offset ({@code Z} or {@code +02:00}); epoch numbers are refused. */
    static final class StrictInstant extends StdDeserializer<Instant> {
        StrictInstant() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText().trim();
            try {
                return parseTimestamp(text);
            } catch (DateTimeException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 timestamp");
            }
        }
    }

    /**
     * An ISO-8601 timestamp with an offset, as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} reads
     * it. The common shape {@code 2026-03-01T10:00:00[.fraction](Z|+hh:mm)} is read by hand (the
     * formatter's generic parse was a quarter of the CPU of reading a rating); anything else goes
     * to the formatter, so the accepted strings and their values are the formatter's.
     *
     * @throws DateTimeException when the text is not such a timestamp
     */
    static Instant parseTimestamp(String text) {
        int n = text.length();
        if (n >= 20 && digits(text, 0, 4) && text.charAt(4) == '-' && digits(text, 5, 7) && text.charAt(7) == '-'
                && digits(text, 8, 10) && text.charAt(10) == 'T' && digits(text, 11, 13) && text.charAt(13) == ':'
                && digits(text, 14, 16) && text.charAt(16) == ':' && digits(text, 17, 19)) {
            int i = 19;
            int nanos = 0;
            if (text.charAt(i) == '.') {
                int from = ++i;
                while (i < n && i - from < 9 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                    nanos = nanos * 10 + text.charAt(i++) - '0';
                }
                for (int k = i - from; k < 9; k++) {
                    nanos *= 10;
                }
                if (i == from) {
                    i = -1; // "." without digits: the formatter decides
                }
            }
            ZoneOffset offset = null;
            if (i == n - 1 && text.charAt(i) == 'Z') {
                offset = ZoneOffset.UTC;
            } else if (i == n - 6 && (text.charAt(i) == '+' || text.charAt(i) == '-') && digits(text, i + 1, i + 3)
                    && text.charAt(i + 3) == ':' && digits(text, i + 4, i + 6)) {
                int sign = text.charAt(i) == '-' ? -1 : 1;
                offset = ZoneOffset.ofHoursMinutes(sign * number(text, i + 1, i + 3), sign * number(text, i + 4, i + 6));
            }
            if (offset != null) {
                return OffsetDateTime.of(number(text, 0, 4), number(text, 5, 7), number(text, 8, 10), number(text, 11, 13),
                        number(text, 14, 16), number(text, 17, 19), nanos, offset).toInstant();
            }
        }
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /** Writes timestamps as {@link Instant#toString()} does, by hand in the common range (see {@link #formatTimestamp}). */
    static final class IsoInstant extends StdSerializer<Instant> {
        IsoInstant() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(formatTimestamp(value));
        }
    }

    /** 1970-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch seconds: the range written by hand. */
    private static final long HAND_WRITTEN_FROM = 0, HAND_WRITTEN_UNTIL = 253_402_300_800L;

    /**
     * {@link Instant#toString()} (ISO-8601 in UTC, the fraction in groups of three digits, none when
     * zero), written by hand from 1970 to 9999: the formatter was 2 % of the service's CPU per single
     * rating. Other instants go to the formatter.
     */
    static String formatTimestamp(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < HAND_WRITTEN_FROM || seconds >= HAND_WRITTEN_UNTIL) {
            return t.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int secondOfDay = (int) (seconds % 86_400);
        int nano = t.getNano();
        int fractionDigits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
        char[] out = new char[20 + (fractionDigits == 0 ? 0 : fractionDigits + 1)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        put(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, secondOfDay % 60, 2);
        if (fractionDigits > 0) {
            out[19] = '.';
            put(out, 20, nano / (fractionDigits == 3 ? 1_000_000 : fractionDigits == 6 ? 1_000 : 1), fractionDigits);
        }
        out[out.length - 1] = 'Z';
        return new String(out);
    }

    /** {@code value} as {@code width} decimal digits, zero-padded, at {@code at}. */
    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int number(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + s.charAt(i) - '0';
        }
        return v;
    }

    public static byte[] write(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event.getClass().getSimpleName(), e);
        }
    }

    /** Reads one event; every reading problem becomes an {@link InvalidEvent} naming the field. */
    public static <T> T read(byte[] json, Class<T> type) throws InvalidEvent {
        return read(json, MAPPER.constructType(type));
    }

    /** Reads leniently, as every topic's consumer does: fields this version does not know are ignored. */
    public static <T> T read(byte[] json, JavaType type) throws InvalidEvent {
        return read(json, MAPPER.readerFor(type));
    }

    /**
     * Reads what a client sends over HTTP: like {@link #read(byte[], JavaType)}, but a field the
     * event does not have is an error naming it ({@code created-at} for {@code created_at} would
     * otherwise be dropped without a word).
     */
    public static <T> T readStrict(byte[] json, JavaType type) throws InvalidEvent {
        return read(json, STRICT_READERS.computeIfAbsent(type,
                t -> MAPPER.readerFor(t).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)));
    }

    private static final java.util.Map<JavaType, ObjectReader> STRICT_READERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static <T> T read(byte[] json, ObjectReader reader) throws InvalidEvent {
        if (json == null || json.length == 0) {
            throw new InvalidEvent("(body)", "empty document");
        }
        int bad = invalidUtf8At(json);
        if (bad >= 0) {
            throw new InvalidEvent("(body)", "not valid UTF-8 at byte " + bad + " (JSON must be UTF-8)");
        }
        try {
            return reader.readValue(json);
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidEvent(pathOf(e), "is not a field of this event; its fields: " + e.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            throw new InvalidEvent(pathOf(e), expectation(e));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            throw new InvalidEvent(pathOf(e), cause instanceof IllegalArgumentException ? cause.getMessage()
                    : "invalid value: " + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException cause) {
                throw malformed(cause); // inside an array element: the parser knows the whole path
            }
            throw new InvalidEvent(pathOf(e), "invalid value: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw new InvalidEvent("(body)", "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEvent("(body)", "unreadable: " + e.getMessage());
        }
    }

    /**
     * Index of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
     * surrogates, nothing above U+10FFFF, no raw NUL), or -1. Jackson itself decodes an overlong {@code C0 AF}
     * as {@code /} and would accept UTF-16 or UTF-32 documents by sniffing their bytes.
     */
    static int invalidUtf8At(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xFF;
            if (c < 0x80 && c != 0) { // a raw NUL is never JSON text (it is how UTF-16 and UTF-32 look)
                i++;
                continue;
            }
            int len;
            int min;
            int max = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                min = c == 0xE0 ? 0xA0 : 0x80;
                max = c == 0xED ? 0x9F : 0xBF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                min = c == 0xF0 ? 0x90 : 0x80;
                max = c == 0xF4 ? 0x8F : 0xBF;
            } else {
                return i;
            }
            if (i + len > n) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < min || second > max) {
                return i;
            }
            for (int k = 2; k < len; k++) {
                int cont = b[i + k] & 0xFF;
                if (cont < 0x80 || cont > 0xBF) {
                    return i;
                }
            }
            i += len;
        }
        return -1;
    }

    /** A document the parser could not read: a repeated field is named, anything else is the body's, with where. */
    private static InvalidEvent malformed(StreamReadException e) {
        String at = streamPath(e.getProcessor() != null ? e.getProcessor().getParsingContext() : null);
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field") && at != null) {
            return new InvalidEvent(at, "appears more than once");
        }
        if (e instanceof com.fasterxml.jackson.core.exc.InputCoercionException && at != null) {
            return new InvalidEvent(at, "invalid value: " + e.getOriginalMessage()); // a number beyond int/long
        }
        return new InvalidEvent("(body)", "malformed JSON" + (at == null ? "" : " at " + at) + ": " + e.getOriginalMessage());
    }

    /** The JSON path where the streaming parser stopped ({@code [3].score}), or null at the top. */
    private static String streamPath(JsonStreamContext context) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                parts.addFirst(c.getCurrentName());
            } else if (c.inArray()) {
                parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
            }
        }
        return joinPath(parts);
    }

    /** The JSON path of a mapping error: {@code score}, {@code [3].score}, {@code phones[0].frames}. */
    static String pathOf(JsonMappingException e) {
        List<String> parts = new java.util.ArrayList<>();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                parts.add(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                parts.add("[" + ref.getIndex() + "]");
            }
        }
        String path = joinPath(parts);
        return path == null ? "(body)" : path;
    }

    /** Field names joined by dots, array indexes ({@code [3]}) appended as they are; null when there are none. */
    private static String joinPath(Iterable<String> parts) {
        StringBuilder path = new StringBuilder();
        for (String p : parts) {
            if (path.length() > 0 && !p.startsWith("[")) {
                path.append('.');
            }
            path.append(p);
        }
        return path.length() == 0 ? null : path.toString();
    }

    private static String expectation(MismatchedInputException e) {
        Class<?> target = e.getTargetType();
        if (target == null) {
            return "invalid value";
        }
        if (target.isEnum()) {
            return "must be one of " + Arrays.stream(target.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT))
                    .collect(Collectors.joining(", "));
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "must be an integer";
        }
        if (target == Double.class || target == double.class) {
            return "must be a number";
        }
        if (target == String.class) {
            return "must be a string";
        }
        if (target == Instant.class) {
            return "must be an ISO-8601 timestamp such as 2026-01-31T12:00:00Z";
        }
        if (target.isArray() || Collection.class.isAssignableFrom(target)) {
            return "must be an array";
        }
        if (target.isRecord()) {
            return "must be a JSON object";
        }
        return "must be a " + target.getSimpleName();
    }
}
