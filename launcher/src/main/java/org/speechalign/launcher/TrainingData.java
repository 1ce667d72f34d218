package org.speechalign.launcher;

import java.nio.file.Path;
import java.util.List;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.SyntheticCorpus;

/** Loads utterances for training, evaluation and benchmarks. */
final class TrainingData {

    private TrainingData() {}

    static final List<String> SYNTHETIC_SPEAKERS = List.of("slt", "rms", "kal16");

    /** Synthetic utterances shaped like the codec2 3200 corpus (for benchmarks without a corpus). */
    static List<Utterance> synthetic(int count, long seed) {
        return SyntheticCorpus.generate(count, seed, SYNTHETIC_SPEAKERS, CoarseLayout.CODEC2_3200, 10, 400, 20, 40);
    }

    /** Every utterance of a golden corpus folder (null: the built-in corpus/builtin-v2), all splits. */
    static List<Utterance> corpus(Path dir) {
        return CorpusFiles.load(dir).utterances();
    }

    static List<Utterance> split(List<Utterance> all, Split split) {
        return all.stream().filter(u -> u.split() == split).toList();
    }
}
