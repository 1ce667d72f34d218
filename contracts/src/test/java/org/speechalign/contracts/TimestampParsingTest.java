package org.speechalign.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Json#parseTimestamp}'s hand-read common shape accepts and reads exactly what the ISO formatter does, and
 * {@link Json#formatTimestamp} writes exactly what {@link Instant#toString()} does.
 */
class TimestampParsingTest {

    static Instant formatter(String text) {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    static void same(String text) {
        Instant expected;
        try {
            expected = formatter(text);
        } catch (DateTimeException e) {
            assertThrows(DateTimeException.class, () -> Json.parseTimestamp(text), text);
            return;
        }
        assertEquals(expected, Json.parseTimestamp(text), text);
    }

    @Test
    void edgeCasesAgreeWithTheFormatter() {
        for (String t : List.of(
                "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00.123456789Z",
                "2026-03-01T10:00:00.1234567891Z", "2026-03-01T10:00:00.Z", "2026-03-01T10:00Z",
                "2026-03-01T10:00:00+02:00", "2026-03-01T10:00:00-05:30", "2026-03-01T10:00:00-00:30",
                "2026-03-01T10:00:00+18:00", "2026-03-01T10:00:00+19:00", "2026-03-01T10:00:00+02:60",
                "2026-03-01T10:00:00+0200", "2026-03-01T10:00:00+02:00:30", "2026-03-01T10:00:00",
                "2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z",
                "2026-00-01T10:00:00Z", "2026-03-00T10:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T23:60:00Z",
                "2026-03-01T23:59:60Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "2026-03-01t10:00:00z", "2026-03-01 10:00:00Z", "2026-3-01T10:00:00Z", "+2026-03-01T10:00:00Z",
                "2026-03-01T10:00:00ZZ", "2026-03-01T10:00:00Z ", "2026-03-01T10:00:00.12a4Z",
                "2026-03-01T10:00:00.\u0661Z", "\u0662026-03-01T10:00:00Z", "12026-03-01T10:00:00Z", "")) {
            same(t);
        }
    }

    @Test
    void randomTimestampsAgreeWithTheFormatter() {
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            String fraction = switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> "." + (random.nextInt(9) + 1);
                case 2 -> "." + String.format("%09d", random.nextInt(1_000_000_000));
                default -> "." + String.format("%03d", random.nextInt(1000));
            };
            String offset = random.nextBoolean() ? "Z"
                    : String.format("%s%02d:%02d", random.nextBoolean() ? "+" : "-", random.nextInt(20), random.nextInt(61));
            same(String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", random.nextInt(10_000), random.nextInt(14),
                    random.nextInt(33), random.nextInt(25), random.nextInt(61), random.nextInt(61), fraction, offset));
        }
    }

    @Test
    void writtenTimestampsAreInstantToString() {
        Random random = new Random(7);
        List<Instant> instants = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(-1),
                Instant.ofEpochSecond(253_402_300_799L, 999_999_999), Instant.ofEpochSecond(253_402_300_800L), Instant.MIN, Instant.MAX,
                Instant.parse("2024-02-29T23:59:59.000001Z"), Instant.parse("2026-03-01T10:00:00.100Z")));
        for (int i = 0; i < 50_000; i++) {
            long seconds = random.nextLong(-100_000_000_000L, 300_000_000_000L);
            int nano = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            instants.add(Instant.ofEpochSecond(seconds, nano));
        }
        for (Instant t : instants) {
            assertEquals(t.toString(), Json.formatTimestamp(t), () -> t.getEpochSecond() + "s " + t.getNano() + "ns");
            assertEquals("\"" + t + "\"", Json.writeString(t));
        }
    }
}
