package org.speechalign.dpo;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DpoBenchTest {

    @Test
    void benchMeasuresBothModesAndTheMatmulBaseline() {
        var r = DpoBench.run(Fixtures.config(), "test", Fixtures.train(Fixtures.corpus(12, 2)), 4, 1, 2, 64);
        assertTrue(r.precomputed().msPerStep() > 0 && r.everyStep().msPerStep() > 0);
        assertTrue(r.precomputed().tokensPerSecond() > 0);
        assertTrue(r.matmulGflops() > 0);
        assertEquals(4.0 / 3.0, r.everyStep().gflopPerStep() / r.precomputed().gflopPerStep(), 1e-9, "the live reference adds one forward");
    }

    @Test
    void forwardFlopsCountTheMatrixMultiplies() {
        var c = Fixtures.config(); // d 16, ffn x2, 1 encoder layer, 1 AR layer, heads 2+2+4+8
        double d = 16, perLayer = 2 * (4 * d * d + 2 * 2 * d * d);
        double want = 3 * 10 * (perLayer + 4 * 10 * d) + 3 * 4 * (perLayer + 4 * 4 * d) + 3 * 10 * 2 * d * 16;
        assertEquals(want, DpoBench.forwardFlops(c, 3, 10, 4), 1e-6);
    }
}
