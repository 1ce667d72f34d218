package org.speechalign.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.speechalign.codec.CoarseToken;

class CoarseLayoutTest {
    @Test
    void codec2LayoutAgreesWithTheCodecsCoarseToken() {
        CoarseLayout k = CoarseLayout.CODEC2_3200;
        assertEquals(CoarseToken.VOCABULARY, k.size());
        for (int token = 0; token < k.size(); token += 37) {
            CoarseToken t = CoarseToken.split(token);
            assertEquals(t.voicing(), k.voicing(token));
            assertEquals(t.energy(), k.energy(token));
            assertEquals(t.wo(), k.pitch(token));
            assertEquals(token, k.join(t.voicing(), t.energy(), t.wo()));
        }
    }
}
