package org.speechalign.lm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the AR model samples. Each head (kind, voicing, energy, pitch) is sampled on its own with
 * the same temperature, top-k and top-p. Temperature 0 is greedy (argmax).
 *
 * @param maxFramesPerPhone a phone is ended (ADVANCE forced) after this many frames
 */
public record SamplingConfig(
        @JsonProperty("temperature") double temperature,
        @JsonProperty("top_k") int topK,
        @JsonProperty("top_p") double topP,
        @JsonProperty("max_frames_per_phone") int maxFramesPerPhone) {

    public static final SamplingConfig DEFAULT = new SamplingConfig(1.0, 0, 1.0, 60);
    public static final SamplingConfig GREEDY = new SamplingConfig(0.0, 0, 1.0, 60);

    public SamplingConfig {
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0");
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0 (0 = off)");
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top_p must be in (0, 1]");
        if (maxFramesPerPhone < 1) throw new IllegalArgumentException("max_frames_per_phone must be >= 1");
    }

    public SamplingConfig withTemperature(double t) {
        return new SamplingConfig(t, topK, topP, maxFramesPerPhone);
    }
}
