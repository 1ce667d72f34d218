package org.speechalign.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code speech.golden.v1}, key {@code utterance_id}, compacted: one utterance of real (golden)
 * speech and its codec tokens — the "chosen" side of the paper's preference codec dataset.
 *
 * @param utteranceId   stable id of the utterance
 * @param text          what is said
 * @param speaker       speaker (voice) name
 * @param phones        phones with durations in frames
 * @param tokens        golden codec tokens, {@code tokens[codebook][frame]}
 * @param codec         codec name and mode
 * @param split         train, dev or test; test utterances are never trained on
 * @param corpusVersion version of the corpus this utterance belongs to
 */
public record GoldenUtterance(String utteranceId, String text, String speaker, List<PhoneFrames> phones,
                              int[][] tokens, CodecSpec codec, Split split, String corpusVersion) {

    public enum Split {
        @JsonProperty("train") TRAIN,
        @JsonProperty("dev") DEV,
        @JsonProperty("test") TEST;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
