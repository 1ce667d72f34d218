package org.speechalign.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * {@code speech.synthesis.v1}, key {@code synthesis_id}: one output of the model.
 *
 * @param synthesisId  id of the synthesis
 * @param origin       self_play (generated for a golden utterance) or product (a user's request)
 * @param utteranceId  golden utterance id for self-play and for product text matching a golden utterance, else null
 * @param text         the text spoken
 * @param speaker      the voice
 * @param phones       phones with the durations the model chose
 * @param tokens       synthesised codec tokens, {@code tokens[codebook][frame]}
 * @param modelVersion model version that produced it
 * @param sampling     sampling parameters
 * @param createdAt    when it was produced
 */
public record Synthesis(String synthesisId, Origin origin, String utteranceId, String text, String speaker,
                        List<PhoneFrames> phones, int[][] tokens, String modelVersion, Sampling sampling,
                        Instant createdAt) {

    public enum Origin {
        @JsonProperty("self_play") SELF_PLAY,
        @JsonProperty("product") PRODUCT
    }

    /**
     * @param temperature softmax temperature
     * @param topK        top-k cut-off (null: none)
     * @param topP        nucleus cut-off (null: none)
     * @param seed        random seed
     */
    public record Sampling(Double temperature, Integer topK, Double topP, Long seed) {
    }
}
