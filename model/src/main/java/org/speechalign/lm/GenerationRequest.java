package org.speechalign.lm;

import java.util.List;

/**
 * What to say (phones), in whose voice, and the seed of this utterance's sampling stream.
 * {@code durations}, frames per phone, are empty when the AR model chooses them (as in use); given,
 * the AR model samples only the coarse tokens of frames whose number is fixed (a diagnostic: how much
 * of the distribution gap is timing).
 */
public record GenerationRequest(String speaker, List<String> phones, long seed, List<Integer> durations) {
    public GenerationRequest {
        phones = List.copyOf(phones);
        durations = List.copyOf(durations);
        if (phones.isEmpty()) throw new IllegalArgumentException("nothing to say: no phones");
        if (!durations.isEmpty() && durations.size() != phones.size()) {
            throw new IllegalArgumentException(durations.size() + " durations for " + phones.size() + " phones");
        }
        if (durations.stream().anyMatch(d -> d < 0)) throw new IllegalArgumentException("negative duration: " + durations);
    }

    /** The AR model chooses the durations. */
    public GenerationRequest(String speaker, List<String> phones, long seed) {
        this(speaker, phones, seed, List.of());
    }
}
