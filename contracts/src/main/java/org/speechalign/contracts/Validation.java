package org.speechalign.contracts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Field-level checks every producer and consumer applies; each error names the JSON field.
 * An event is valid when the returned list is empty.
 */
public final class Validation {

    /** Longest id (rating_id, synthesis_id, rater_id, …) accepted, in characters. */
    public static final int MAX_ID_LENGTH = 128;
    /** Longest text accepted, in characters. */
    public static final int MAX_TEXT_LENGTH = 2_000;
    /** How far in the future a created_at may lie (clock skew allowance). */
    public static final Duration MAX_FUTURE_SKEW = Duration.ofHours(24);
    /** Timestamps before this are refused (parsed once: Instant.parse was a few per cent of a sink's CPU). */
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private Validation() {
    }

    public static List<FieldError> rating(Rating r) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "rating_id", r.ratingId());
        id(errors, "synthesis_id", r.synthesisId());
        id(errors, "rater_id", r.raterId());
        if (r.score() == null) {
            errors.add(new FieldError("score", "is required"));
        } else if (r.score() < 1 || r.score() > 5) {
            errors.add(new FieldError("score", "must be an integer from 1 to 5, was " + r.score()));
        }
        time(errors, "created_at", r.createdAt(), false);
        return errors;
    }

    public static List<FieldError> comparison(Comparison c) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "comparison_id", c.comparisonId());
        id(errors, "synthesis_a", c.synthesisA());
        id(errors, "synthesis_b", c.synthesisB());
        if (c.synthesisA() != null && c.synthesisA().equals(c.synthesisB())) {
            errors.add(new FieldError("synthesis_b", "must differ from synthesis_a"));
        }
        if (c.winner() == null) {
            errors.add(new FieldError("winner", "is required (a, b or tie)"));
        }
        id(errors, "rater_id", c.raterId());
        time(errors, "created_at", c.createdAt(), false);
        return errors;
    }

    public static List<FieldError> golden(GoldenUtterance g) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "utterance_id", g.utteranceId());
        text(errors, "text", g.text());
        id(errors, "speaker", g.speaker());
        phones(errors, "phones", g.phones());
        tokens(errors, "tokens", g.tokens());
        if (g.codec() == null || g.codec().name() == null || g.codec().mode() == null) {
            errors.add(new FieldError("codec", "is required with name and mode"));
        }
        if (g.split() == null) {
            errors.add(new FieldError("split", "is required (train, dev or test)"));
        }
        id(errors, "corpus_version", g.corpusVersion());
        return errors;
    }

    public static List<FieldError> synthesis(Synthesis s) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "synthesis_id", s.synthesisId());
        if (s.origin() == null) {
            errors.add(new FieldError("origin", "is required (self_play or product)"));
        } else if (s.origin() == Synthesis.Origin.SELF_PLAY && s.utteranceId() == null) {
            errors.add(new FieldError("utterance_id", "is required for self_play syntheses"));
        }
        if (s.utteranceId() != null) {
            id(errors, "utterance_id", s.utteranceId());
        }
        text(errors, "text", s.text());
        id(errors, "speaker", s.speaker());
        phones(errors, "phones", s.phones());
        tokens(errors, "tokens", s.tokens());
        id(errors, "model_version", s.modelVersion());
        time(errors, "created_at", s.createdAt(), true);
        return errors;
    }

    public static List<FieldError> preference(Preference p) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "pair_id", p.pairId());
        if (p.source() == null) {
            errors.add(new FieldError("source", "is required"));
        }
        text(errors, "text", p.text());
        id(errors, "speaker", p.speaker());
        side(errors, "chosen", p.chosen());
        side(errors, "rejected", p.rejected());
        if (errors.isEmpty() && !p.pairId().equals(Preference.pairIdOf(p.source(), p.chosen(), p.rejected()))) {
            errors.add(new FieldError("pair_id", "does not match source, chosen and rejected"));
        }
        time(errors, "created_at", p.createdAt(), true);
        return errors;
    }

    public static List<FieldError> trainingBatch(TrainingBatch b) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "batch_id", b.batchId());
        if (b.pairCount() == null || b.pairCount() < 1) {
            errors.add(new FieldError("pair_count", "must be a positive integer"));
        }
        time(errors, "created_at", b.createdAt(), true);
        return errors;
    }

    public static List<FieldError> modelVersion(ModelVersion m) {
        List<FieldError> errors = new ArrayList<>();
        id(errors, "model_line", m.modelLine());
        id(errors, "version", m.version());
        if (m.artifactUri() == null || m.artifactUri().isBlank()) {
            errors.add(new FieldError("artifact_uri", "is required"));
        }
        if (m.artifactSha256() == null || !m.artifactSha256().matches("[0-9a-f]{64}")) {
            errors.add(new FieldError("artifact_sha256", "must be 64 lower-case hex digits"));
        }
        if (m.status() == null) {
            errors.add(new FieldError("status", "is required (candidate, promoted, rejected or rolled_back)"));
        }
        time(errors, "created_at", m.createdAt(), true);
        return errors;
    }

    /** Dispatches on the event's type. */
    public static List<FieldError> validate(Object event) {
        if (event instanceof Rating r) return rating(r);
        if (event instanceof Comparison c) return comparison(c);
        if (event instanceof GoldenUtterance g) return golden(g);
        if (event instanceof Synthesis s) return synthesis(s);
        if (event instanceof Preference p) return preference(p);
        if (event instanceof TrainingBatch b) return trainingBatch(b);
        if (event instanceof ModelVersion m) return modelVersion(m);
        throw new IllegalArgumentException("not an event: " + event.getClass());
    }

    /** Reads and validates; throws with every field error. */
    public static <T> T readValid(byte[] json, Class<T> type) throws InvalidEvent {
        T event = Json.read(json, type);
        List<FieldError> errors = validate(event);
        if (!errors.isEmpty()) {
            throw new InvalidEvent(errors);
        }
        return event;
    }

    static void id(List<FieldError> errors, String field, String value) {
        String problem = idProblem(value);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
        }
    }

    /**
     * Why {@code value} is not an acceptable id (null when it is): absent or only spaces (Unicode's
     * too, such as U+00A0), over {@value #MAX_ID_LENGTH} UTF-16 characters, a control character
     * (NUL included), or an unpaired surrogate (a JSON escape such as backslash-u-d800 alone: not Unicode text, and
     * PostgreSQL would store it as {@code ?}, merging it with another id).
     */
    public static String idProblem(String value) {
        if (value == null || isBlank(value)) {
            return "is required";
        }
        if (value.length() > MAX_ID_LENGTH) {
            return "is longer than " + MAX_ID_LENGTH + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return "contains control characters";
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains an unpaired UTF-16 surrogate (not Unicode text)";
            }
        }
        return null;
    }

    private static boolean isBlank(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c)) {
                return false;
            }
        }
        return true;
    }

    static void text(List<FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
        } else if (value.length() > MAX_TEXT_LENGTH) {
            errors.add(new FieldError(field, "is longer than " + MAX_TEXT_LENGTH + " characters"));
        }
    }

    static void time(List<FieldError> errors, String field, Instant value, boolean required) {
        if (value == null) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
        } else if (value.isAfter(Instant.now().plus(MAX_FUTURE_SKEW))) {
            errors.add(new FieldError(field, "lies more than " + MAX_FUTURE_SKEW.toHours() + " h in the future"));
        } else if (value.isBefore(EARLIEST)) {
            errors.add(new FieldError(field, "lies before 2000-01-01"));
        }
    }

    static void phones(List<FieldError> errors, String field, List<PhoneFrames> phones) {
        if (phones == null || phones.isEmpty()) {
            errors.add(new FieldError(field, "is required (at least one phone)"));
            return;
        }
        for (int i = 0; i < phones.size(); i++) {
            PhoneFrames p = phones.get(i);
            if (p == null || p.symbol() == null || p.symbol().isBlank()) {
                errors.add(new FieldError(field + "[" + i + "].symbol", "is required"));
            } else if (p.frames() == null || p.frames() < 0) {
                errors.add(new FieldError(field + "[" + i + "].frames", "must be an integer ≥ 0"));
            }
        }
    }

    static void tokens(List<FieldError> errors, String field, int[][] tokens) {
        if (tokens == null || tokens.length == 0) {
            errors.add(new FieldError(field, "is required (codebooks × frames)"));
            return;
        }
        for (int cb = 0; cb < tokens.length; cb++) {
            if (tokens[cb] == null || tokens[cb].length != tokens[0].length) {
                errors.add(new FieldError(field + "[" + cb + "]", "every codebook must have the same number of frames"));
                return;
            }
        }
    }

    static void side(List<FieldError> errors, String field, Preference.Side side) {
        if (side == null) {
            errors.add(new FieldError(field, "is required"));
            return;
        }
        tokens(errors, field + ".tokens", side.tokens());
        if ((side.synthesisId() == null) == (side.utteranceId() == null)) {
            errors.add(new FieldError(field, "needs exactly one of synthesis_id and utterance_id"));
        }
    }
}
