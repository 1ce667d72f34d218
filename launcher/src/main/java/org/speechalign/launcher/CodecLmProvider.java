package org.speechalign.launcher;

import java.nio.file.Path;
import java.util.Optional;
import org.speechalign.codec.Codec;
import org.speechalign.eval.SpeechSystem;
import org.speechalign.eval.SpeechSystemProvider;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.ModelArchiveException;
import org.speechalign.lm.SamplingConfig;
import org.speechalign.lm.eval.CodecLmSpeech;

/**
 * Finds codec language models for {@code ./speechalign eval --model M}: M is a reference name
 * ({@code base}), a sha256 (or unique prefix) in {@code SPEECHALIGN_HOME/models}, or a path to a
 * {@code .salm} archive (see {@link ModelHome#resolve}).
 */
public final class CodecLmProvider implements SpeechSystemProvider {

    /** Default sampling of evaluation: the model's own distribution (temperature 1, no truncation). */
    static final SamplingConfig EVAL_SAMPLING = SamplingConfig.DEFAULT;
    static final long EVAL_SEED = 1;

    @Override
    public Optional<SpeechSystem> open(String reference, Codec codec) {
        return open(reference, codec, EVAL_SAMPLING, EVAL_SEED).map(s -> s);
    }

    /** Opens {@code reference} as a codec language model, or empty if it names none. */
    static Optional<CodecLmSpeech> open(String reference, Codec codec, SamplingConfig sampling, long seed) {
        Path archive;
        try {
            archive = ModelHome.resolve(reference);
        } catch (UserFacingException | java.io.IOException e) {
            return Optional.empty();
        }
        ModelHome.torchThreads(Integer.getInteger("speechalign.threads", 2));
        CodecLm lm;
        try {
            lm = CodecLm.load(archive);
        } catch (ModelArchiveException e) {
            throw new UserFacingException("cannot load model " + reference + " (" + archive + "): " + e.getMessage(), e);
        }
        String name = lm.sha256() == null ? archive.getFileName().toString() : lm.sha256().substring(0, 12);
        return Optional.of(new CodecLmSpeech(lm, codec, name, CodecLmSpeech.Coarse.SYNTHETIC, sampling, seed, true));
    }
}
