package org.speechalign.dpo;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.SamplingConfig;

class AlignmentLoopTest {

    @TempDir
    Path dir;

    @Test
    void iterationKStartsFromAndIsReferencedToIterationKMinus1sArchive() throws Exception {
        List<Utterance> all = Fixtures.corpus(20, 21);
        List<Utterance> train = Fixtures.train(all);
        List<Utterance> test = all.stream().filter(u -> u.split() == Split.TEST).toList();
        Path base;
        try (CodecLm m = Fixtures.model(5)) {
            base = m.save(dir.resolve("base"));
        }
        SamplingConfig sampling = new SamplingConfig(1.0, 0, 1.0, 6);
        var options = new AlignmentLoop.Options(3, DpoConfig.defaults().withTraining(1e-3, 8, 3, 1.0),
                new PreferenceDataset.Options(1, sampling, 1, 16), true, 16);
        IntrinsicMeasures measures;
        try (CodecLm b = CodecLm.load(base)) {
            measures = new IntrinsicMeasures(b, test, sampling, 3, 16, 2);
        }
        var report = new AlignmentLoop(options, dir.resolve("run"), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
                .run(base, train, test, measures);

        String previous = sha256(base);
        assertEquals(previous, report.baseSha256());
        assertEquals(3, report.iterations().size());
        for (AlignmentLoop.Iteration it : report.iterations()) {
            assertEquals(previous, it.referenceSha256(), "iter" + it.iteration() + "'s reference is the previous archive");
            assertEquals(previous, it.startSha256(), "iter" + it.iteration() + " starts from the previous archive");
            Path archive = Path.of(it.archive());
            assertEquals(sha256(archive), it.archiveSha256());
            assertEquals(it.archiveSha256() + ".salm", archive.getFileName().toString());
            assertNotEquals(previous, it.archiveSha256(), "training changed the model");
            try (CodecLm m = CodecLm.load(archive)) {
                assertEquals(previous, m.metadata().get("reference_sha256"));
                assertEquals(previous, m.metadata().get("parent_sha256"));
                assertEquals(it.iteration(), ((Number) m.metadata().get("dpo_iteration")).intValue());
            }
            assertTrue(it.pairs() > 0);
            assertTrue(it.eval().containsKey("heldout_pref_acc"));
            assertEquals(3, Files.readAllLines(dir.resolve("run/iter" + it.iteration() + "/dpo-metrics.jsonl")).size());
            previous = it.archiveSha256();
        }
        assertEquals(9, report.continuedSft().steps(), "the ablation runs as many steps as all iterations together");
        assertTrue(Files.exists(dir.resolve("run/report.json")));
        assertTrue(Files.readString(dir.resolve("run/dpo-metrics.svg")).contains("rewards/margins"));
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
