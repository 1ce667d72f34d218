package org.speechalign.loop.golden;

import java.util.ArrayList;
import java.util.List;
import org.speechalign.contracts.CodecSpec;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.SyntheticCorpus;

/**
 * A tiny, randomly initialised codec LM in the codec2 3200 layout (so its tokens decode to audio)
 * and a synthetic golden corpus for it: what the loop's tests and benchmarks run on when no trained
 * model or built corpus is needed. Nothing here is trained.
 */
public final class TinySetup {

    /** flite's US English phone set (t2p's symbols without stress digits). */
    public static final List<String> PHONES = List.of("pau", "aa", "ae", "ah", "ao", "aw", "ax", "ay", "b", "ch", "d", "dh", "eh",
            "er", "ey", "f", "g", "hh", "ih", "iy", "jh", "k", "l", "m", "n", "ng", "ow", "oy", "p", "r", "s", "sh", "t", "th",
            "uh", "uw", "v", "w", "y", "z", "zh");
    public static final List<String> SPEAKERS = List.of("slt", "rms");

    private TinySetup() {
    }

    /** A tiny untrained model (seeded) whose vocabularies cover flite's phones and {@link #SPEAKERS}. */
    public static CodecLm model(int seed) {
        LmConfig c = new LmConfig(32, 2, 1, 1, 1, 2, 0.0f, 16, CoarseLayout.CODEC2_3200, 10, 400, 1.0f, 1.0f, 1.0f, PHONES, SPEAKERS);
        return CodecLm.create(c, seed);
    }

    /** Synthetic golden utterances (every tenth is test split), ids prefixed so several sets can coexist. */
    public static List<Utterance> corpus(String prefix, int count, long seed) {
        List<Utterance> out = new ArrayList<>();
        for (Utterance u : SyntheticCorpus.generate(count, seed, SPEAKERS, CoarseLayout.CODEC2_3200, 10, 400, 4, 8)) {
            out.add(new Utterance(prefix + u.utteranceId(), prefix + " " + u.text(), u.speaker(), u.phones(), u.tokens(), "codec2", "3200",
                    u.split(), u.corpusVersion()));
        }
        return out;
    }

    public static GoldenUtterance event(Utterance u) {
        List<PhoneFrames> phones = new ArrayList<>();
        for (Phone p : u.phones()) phones.add(new PhoneFrames(p.symbol(), p.frames()));
        return new GoldenUtterance(u.utteranceId(), u.text(), u.speaker(), phones, u.tokens(), new CodecSpec(u.codecName(), u.codecMode()),
                GoldenUtterance.Split.valueOf(u.split().name()), u.corpusVersion());
    }
}
