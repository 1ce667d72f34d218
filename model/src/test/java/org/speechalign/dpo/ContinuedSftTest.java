package org.speechalign.dpo;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;

class ContinuedSftTest {

    @Test
    void bothObjectivesLowerTheGoldenNllAndLeaveTheNarAlone() {
        List<Utterance> train = Fixtures.train(Fixtures.corpus(10, 4));
        for (ContinuedSft.Objective o : ContinuedSft.Objective.values()) {
            try (CodecLm m = Fixtures.model(3)) {
                var self = new PairSequences(m.config(), train.stream().map(u -> {
                    var g = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), org.speechalign.lm.Examples.durations(u));
                    return PreferencePair.of(PreferencePair.Source.GOLDEN_VS_SYNTHETIC, u.utteranceId(), u.text(), u.speaker(),
                            org.speechalign.lm.Examples.symbols(u.phones()), g, g, null, Instant.EPOCH);
                }).toList());
                double before = DpoTrainer.reference(m, self, 16).chosen()[0];
                float[] nar = m.nar().getParameters().valueAt(0).getArray().toFloatArray();
                ContinuedSft.train(m, train, DpoConfig.defaults().withTraining(3e-3, 4, 15, 1.0), o, null);
                double after = DpoTrainer.reference(m, self, 16).chosen()[0];
                assertTrue(after > before, o + ": log p(golden) " + before + " -> " + after);
                assertArrayEquals(nar, m.nar().getParameters().valueAt(0).getArray().toFloatArray());
            }
        }
    }
}
