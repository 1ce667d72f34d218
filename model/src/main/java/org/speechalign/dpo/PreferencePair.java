package org.speechalign.dpo;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.speechalign.corpus.Phone;

/**
 * One preference pair, the DPO library's form of a {@code speech.preferences.v1} record (same fields,
 * same snake_case names, same pair id), so pairs built here and pairs from the platform feed the same
 * trainer.
 *
 * <p>Each side also carries its phone durations: the AR model writes durations (ADVANCE tokens), so a
 * side's log-probability needs them. The golden side's are the utterance's; a synthesised side's come
 * from its {@code speech.synthesis.v1} record (whose phones carry durations). {@link #phones} holds
 * the symbols with the chosen side's durations, as in the event.
 *
 * @param pairId deterministic from source and both sides ({@link #pairIdOf}); a replay yields the same id
 * @param source how the pair was made
 * @param utteranceId the golden utterance, or null for product text without one
 * @param text what both sides say
 * @param speaker whose voice
 * @param phones phone symbols with the chosen side's durations in frames
 * @param chosen the preferred side
 * @param rejected the dispreferred side
 * @param rejectedModelVersion the model version (archive sha256) that produced the rejected side, or null
 * @param createdAt when the pair was made
 */
public record PreferencePair(
        @JsonProperty("pair_id") String pairId,
        @JsonProperty("source") Source source,
        @JsonProperty("utterance_id") String utteranceId,
        @JsonProperty("text") String text,
        @JsonProperty("speaker") String speaker,
        @JsonProperty("phones") List<Phone> phones,
        @JsonProperty("chosen") Side chosen,
        @JsonProperty("rejected") Side rejected,
        @JsonProperty("rejected_model_version") String rejectedModelVersion,
        @JsonProperty("created_at") Instant createdAt) {

    /** Where a pair came from (the event's {@code source} values). */
    public enum Source {
        @JsonProperty("golden_vs_synthetic") GOLDEN_VS_SYNTHETIC,
        @JsonProperty("golden_vs_low_rated") GOLDEN_VS_LOW_RATED,
        @JsonProperty("rating_ranked") RATING_RANKED,
        @JsonProperty("comparison") COMPARISON;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One side: codec tokens ({@code tokens[codebook][frame]}; row 0 is the coarse codebook, the only
     * one DPO reads), frames per phone, and where the tokens came from (exactly one id is set).
     */
    public record Side(
            @JsonProperty("tokens") int[][] tokens,
            @JsonProperty("durations") int[] durations,
            @JsonProperty("synthesis_id") String synthesisId,
            @JsonProperty("utterance_id") String utteranceId) {

        public Side {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(durations, "durations");
            if (tokens.length == 0) throw new IllegalArgumentException("a side needs at least the coarse codebook");
            if ((synthesisId == null) == (utteranceId == null)) {
                throw new IllegalArgumentException("a side comes from exactly one of a synthesis or a golden utterance");
            }
            if (Arrays.stream(durations).sum() != tokens[0].length) {
                throw new IllegalArgumentException("durations sum to " + Arrays.stream(durations).sum() + " frames but the side has "
                        + tokens[0].length + " coarse tokens");
            }
        }

        public static Side golden(String utteranceId, int[][] tokens, int[] durations) {
            return new Side(tokens, durations, null, utteranceId);
        }

        public static Side synthesis(String synthesisId, int[] coarse, int[] durations) {
            return new Side(new int[][] {coarse}, durations, synthesisId, null);
        }

        @JsonIgnore
        public int[] coarse() {
            return tokens[0];
        }

        /** {@code synthesis:<id>} or {@code golden:<id>}: the side's identity in a pair id. */
        public String ref() {
            return synthesisId != null ? "synthesis:" + synthesisId : "golden:" + utteranceId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Side s && Arrays.deepEquals(tokens, s.tokens) && Arrays.equals(durations, s.durations)
                    && Objects.equals(synthesisId, s.synthesisId) && Objects.equals(utteranceId, s.utteranceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.deepHashCode(tokens), Arrays.hashCode(durations), synthesisId, utteranceId);
        }

        @Override
        public String toString() {
            return "Side[" + ref() + ", frames=" + tokens[0].length + "]";
        }
    }

    public PreferencePair {
        Objects.requireNonNull(pairId, "pair_id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(speaker, "speaker");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        phones = List.copyOf(phones);
        if (phones.isEmpty()) throw new IllegalArgumentException("pair " + pairId + " has no phones");
        if (chosen.durations().length != phones.size() || rejected.durations().length != phones.size()) {
            throw new IllegalArgumentException("pair " + pairId + ": each side needs one duration per phone (" + phones.size() + ")");
        }
    }

    /** A pair whose id is derived from its source and sides. */
    public static PreferencePair of(Source source, String utteranceId, String text, String speaker, List<String> phoneSymbols,
            Side chosen, Side rejected, String rejectedModelVersion, Instant createdAt) {
        List<Phone> phones = new java.util.ArrayList<>();
        for (int i = 0; i < phoneSymbols.size(); i++) phones.add(new Phone(phoneSymbols.get(i), chosen.durations()[i]));
        return new PreferencePair(pairIdOf(source, chosen, rejected), source, utteranceId, text, speaker, phones, chosen, rejected,
                rejectedModelVersion, createdAt);
    }

    @JsonIgnore
    public List<String> phoneSymbols() {
        return phones.stream().map(Phone::symbol).toList();
    }

    /**
     * The deterministic pair id: the first 32 hex digits of the sha-256 of
     * {@code <source>|<chosen ref>|<rejected ref>} (the same rule as the contracts module's).
     */
    public static String pairIdOf(Source source, Side chosen, Side rejected) {
        String material = source.wire() + "|" + chosen.ref() + "|" + rejected.ref();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
