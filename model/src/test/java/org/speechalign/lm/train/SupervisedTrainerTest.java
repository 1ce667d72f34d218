package org.speechalign.lm.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.CoarseLayout;
import org.speechalign.lm.Examples;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.Generated;
import org.speechalign.lm.LmConfig;
import org.speechalign.lm.NarBatch;
import org.speechalign.lm.SamplingConfig;
import org.speechalign.lm.SyntheticCorpus;

class SupervisedTrainerTest {

    static final List<String> SPEAKERS = List.of("slt", "rms");
    static final CoarseLayout LAYOUT = new CoarseLayout(4, 8, 16);

    @TempDir
    Path dir;

    static LmConfig config() {
        return LmConfig.tiny(SyntheticCorpus.PHONES, SPEAKERS, LAYOUT, 3, 20).withShape(48, 2, 1, 2, 1);
    }

    static List<Utterance> data(int n) {
        return SyntheticCorpus.generate(n, 77, SPEAKERS, LAYOUT, 3, 20, 3, 5);
    }

    @Test
    void tinyModelOverfitsAFewUtterances() throws Exception {
        List<Utterance> train = data(4);
        TrainConfig tc = new TrainConfig(250, 4, 5e-3, 20, 0.1, 0.0, 1.0, 1, 0, true, true);
        var result = new SupervisedTrainer(tc, dir.resolve("run")).quiet().train(CodecLm.create(config(), 1), train);
        try (CodecLm lm = result.model(); NDManager m = lm.manager().newSubManager()) {
            List<String> lines = Files.readAllLines(dir.resolve("run/metrics.jsonl"));
            assertEquals(250, lines.size());
            double first = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(lines.get(0)).get("ar_loss").asDouble();
            float lastAr = result.lastMetrics().get("ar_loss");
            assertTrue(lastAr < first / 3, "AR loss falls: " + first + " -> " + lastAr);
            assertTrue(result.lastMetrics().get("nar_fine_acc") > 0.95, "NAR reproduces fine codebooks: " + result.lastMetrics());
            // greedy generation reproduces the golden durations and coarse tokens
            int exactFrames = 0, frames = 0;
            for (int i = 0; i < train.size(); i++) {
                Utterance u = train.get(i);
                Generated g = lm.generator().generate(m, List.of(new GenerationRequest(u.speaker(), Examples.symbols(u.phones()), i)),
                        SamplingConfig.GREEDY, true).get(0);
                assertArrayEquals(Examples.durations(u), g.durations(), "durations of " + u.utteranceId());
                for (int f = 0; f < g.frames(); f++) {
                    frames++;
                    if (g.coarse()[f] == u.tokens()[0][f]) exactFrames++;
                }
            }
            assertTrue(exactFrames >= 0.9 * frames, "coarse tokens reproduced: " + exactFrames + "/" + frames);
            int[][][] fine = lm.nar().predict(new ParameterStore(m, false), NarBatch.of(m, lm.config(), train.stream().map(u -> Examples.nar(lm.config(), u)).toList()));
            assertArrayEquals(Arrays.copyOfRange(train.get(0).tokens(), 1, 4), fine[0]);
        }
    }

    @Test
    void sameSeedSameChecksumAndResumeContinuesExactly() throws Exception {
        List<Utterance> train = data(6);
        TrainConfig tc = new TrainConfig(12, 2, 3e-3, 3, 0.1, 0.01, 1.0, 5, 4, true, true);
        LmConfig c = config().withDropout(0.1f);
        String full1, full2, resumed;
        try (CodecLm a = new SupervisedTrainer(tc, dir.resolve("a")).quiet().train(CodecLm.create(c, 3), train).model()) {
            full1 = sha(a);
        }
        try (CodecLm b = new SupervisedTrainer(tc, dir.resolve("b")).quiet().train(CodecLm.create(c, 3), train).model()) {
            full2 = sha(b);
        }
        assertEquals(full1, full2, "same seed and data give the same archive");
        // interrupted after 6 steps (a checkpoint at step 4 is on disk), then resumed to 12
        try (CodecLm part = new SupervisedTrainer(tc, dir.resolve("c")).quiet().stopAfter(6).train(CodecLm.create(c, 3), train).model()) {
            assertNotNull(part);
        }
        var state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("c/state.json").toFile());
        assertEquals(6, state.get("step").asInt());
        try (CodecLm r = new SupervisedTrainer(tc, dir.resolve("c")).quiet().train(CodecLm.create(c, 99), train).model()) {
            resumed = sha(r);
        }
        if (!full1.equals(resumed)) {
            List<String> a = Files.readAllLines(dir.resolve("a/metrics.jsonl")), r = Files.readAllLines(dir.resolve("c/metrics.jsonl"));
            for (int i = 0; i < a.size(); i++) System.out.println("DIFF " + a.get(i).replaceAll("\"seconds\":[0-9.]+,", "").equals(r.get(i).replaceAll("\"seconds\":[0-9.]+,", "")) + "\n A " + a.get(i) + "\n R " + r.get(i));
        }
        assertEquals(full1, resumed, "a resumed run ends where an uninterrupted one does");
    }

    private static String sha(CodecLm lm) throws Exception {
        lm.metadata().clear();
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(lm.archiveBytes()));
    }
}
