package org.speechalign.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.speechalign.corpus.Utterance;

/** Tiny models and data for tests. */
final class Tiny {

    static final List<String> SPEAKERS = List.of("slt", "rms", "awb");
    static final CoarseLayout LAYOUT = new CoarseLayout(4, 8, 16);

    private Tiny() {}

    static LmConfig config() {
        return LmConfig.tiny(SyntheticCorpus.PHONES, SPEAKERS, LAYOUT, 3, 20);
    }

    static List<Utterance> corpus(int n, long seed) {
        return SyntheticCorpus.generate(n, seed, SPEAKERS, LAYOUT, 3, 20, 3, 6);
    }

    static ArModel ar(NDManager manager, LmConfig c, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        ArModel m = new ArModel(c);
        m.initialize(manager, DataType.FLOAT32, new Shape(1));
        return m;
    }
}
