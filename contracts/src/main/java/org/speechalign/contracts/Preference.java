package org.speechalign.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code speech.preferences.v1}, key {@code pair_id}: one preference pair for DPO.
 *
 * @param pairId               deterministic from source + both sides ({@link #pairIdOf}), so a replay yields the same id
 * @param source               how the pair was made
 * @param utteranceId          golden utterance id when there is one, else null
 * @param text                 the text both sides speak
 * @param speaker              the voice
 * @param phones               phones of the text (durations of the chosen side)
 * @param chosen               the preferred side
 * @param rejected             the dispreferred side
 * @param rejectedModelVersion model version that produced the rejected side
 * @param createdAt            when the pair was made
 */
public record Preference(String pairId, Source source, String utteranceId, String text, String speaker,
                         List<PhoneFrames> phones, Side chosen, Side rejected, String rejectedModelVersion,
                         Instant createdAt) {

    public enum Source {
        @JsonProperty("golden_vs_synthetic") GOLDEN_VS_SYNTHETIC,
        @JsonProperty("golden_vs_low_rated") GOLDEN_VS_LOW_RATED,
        @JsonProperty("rating_ranked") RATING_RANKED,
        @JsonProperty("comparison") COMPARISON;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One side of a pair: its tokens and where they came from (exactly one of the two ids is set).
     *
     * @param tokens      codec tokens, {@code tokens[codebook][frame]}
     * @param synthesisId the synthesis the tokens came from, or null
     * @param utteranceId the golden utterance the tokens came from, or null
     */
    public record Side(int[][] tokens, String synthesisId, String utteranceId) {
        /** {@code synthesis:<id>} or {@code golden:<id>}: the side's identity in a pair id. */
        public String ref() {
            return synthesisId != null ? "synthesis:" + synthesisId : "golden:" + utteranceId;
        }
    }

    /** Deterministic pair id: hex sha-256 of {@code source|chosen ref|rejected ref} (first 32 hex digits). */
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
