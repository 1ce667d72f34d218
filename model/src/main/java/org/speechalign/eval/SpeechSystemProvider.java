package org.speechalign.eval;

import java.util.Optional;
import org.speechalign.codec.Codec;

/**
 * How {@code ./speechalign eval --model M} finds a model without the harness knowing model code:
 * implementations are listed in {@code META-INF/services/org.speechalign.eval.SpeechSystemProvider}
 * and asked in turn; the first that recognises {@code reference} (a version, a path, ...) wins.
 */
public interface SpeechSystemProvider {
    Optional<SpeechSystem> open(String reference, Codec codec);
}
