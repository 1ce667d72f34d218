package org.speechalign.lm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a coarse token splits into the fields the AR model predicts with separate heads:
 * {@code token = (voicing * energyLevels + energy) * pitchLevels + pitch}. Voicing is the pair of
 * voicing bits (0..3), energy and pitch are ordered levels. The model's log-probability of a coarse
 * token is the sum of its fields' log-probabilities.
 */
public record CoarseLayout(
        @JsonProperty("voicing_levels") int voicingLevels,
        @JsonProperty("energy_levels") int energyLevels,
        @JsonProperty("pitch_levels") int pitchLevels) {

    /** codec2 3200: voicing pair (4) x energy (32) x Wo (128) = 16384 values. */
    public static final CoarseLayout CODEC2_3200 = new CoarseLayout(4, 32, 128);

    public CoarseLayout {
        if (voicingLevels < 1 || energyLevels < 1 || pitchLevels < 1) throw new IllegalArgumentException("field sizes must be positive");
    }

    public int size() {
        return voicingLevels * energyLevels * pitchLevels;
    }

    public int join(int voicing, int energy, int pitch) {
        if (voicing < 0 || voicing >= voicingLevels || energy < 0 || energy >= energyLevels || pitch < 0 || pitch >= pitchLevels) {
            throw new IllegalArgumentException("coarse fields out of range: " + voicing + "/" + energy + "/" + pitch);
        }
        return (voicing * energyLevels + energy) * pitchLevels + pitch;
    }

    public int voicing(int token) {
        check(token);
        return token / (energyLevels * pitchLevels);
    }

    public int energy(int token) {
        check(token);
        return (token / pitchLevels) % energyLevels;
    }

    public int pitch(int token) {
        check(token);
        return token % pitchLevels;
    }

    private void check(int token) {
        if (token < 0 || token >= size()) throw new IllegalArgumentException("coarse token " + token + " outside 0.." + (size() - 1));
    }
}
