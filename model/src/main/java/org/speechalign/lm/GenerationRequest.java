package org.speechalign.lm;

import java.util.List;

/** What to say (phones), in whose voice, and the seed of this utterance's sampling stream. */
public record GenerationRequest(String speaker, List<String> phones, long seed) {
    public GenerationRequest {
        phones = List.copyOf(phones);
        if (phones.isEmpty()) throw new IllegalArgumentException("nothing to say: no phones");
    }
}
