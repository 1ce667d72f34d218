package org.speechalign.dpo;

import java.util.List;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.SyntheticCorpus;

/** Tiny models and synthetic golden utterances for the DPO tests. */
final class Fixtures {

    static final List<String> SPEAKERS = List.of("slt", "rms");
    static final CoarseLayout LAYOUT = new CoarseLayout(2, 4, 8);

    private Fixtures() {}

    static LmConfig config() {
        return LmConfig.tiny(SyntheticCorpus.PHONES, SPEAKERS, LAYOUT, 2, 8).withShape(16, 2, 1, 1, 1);
    }

    static List<Utterance> corpus(int n, long seed) {
        return SyntheticCorpus.generate(n, seed, SPEAKERS, LAYOUT, 2, 8, 3, 4);
    }

    static List<Utterance> train(List<Utterance> all) {
        return all.stream().filter(u -> u.split() != Split.TEST).toList();
    }

    static CodecLm model(int seed) {
        return CodecLm.create(config(), seed);
    }
}
