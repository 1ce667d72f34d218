package org.speechalign.loop.golden;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.TrainingBatch;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.PreferencePair;
import org.speechalign.lm.Examples;

/**
 * trainer-worker's input written by hand, for tests that exercise the trainer (and what reads its
 * results) without pref-builder: syntheses landed in {@code syntheses}, their pairs against golden
 * utterances as one committed {@code training_batches} row, announced on
 * {@code speech.training-batches.v1} — the rows pref-builder's sink and batcher would write, but with
 * the batch chosen by the caller, and optionally reversed (a pair pref-builder never makes), which is
 * how a test gets a candidate the gate must reject.
 */
public final class HandWrittenBatch {

    private HandWrittenBatch() {
    }

    /** Lands syntheses in {@code syntheses} as pref-builder's sink does (the first version of an id wins). */
    public static void insertSyntheses(DataSource ds, List<Synthesis> syntheses) throws SQLException {
        try (Connection c = ds.getConnection()) {
            insertSyntheses(c, syntheses);
        }
    }

    private static void insertSyntheses(Connection c, List<Synthesis> syntheses) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO syntheses (synthesis_id, origin, utterance_id, text, speaker, phones, "
                + "tokens, model_version, temperature, seed, created_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Synthesis s : syntheses) {
                ps.setString(1, s.synthesisId());
                ps.setString(2, s.origin() == Synthesis.Origin.PRODUCT ? "product" : "self_play");
                ps.setString(3, s.utteranceId());
                ps.setString(4, s.text());
                ps.setString(5, s.speaker());
                ps.setString(6, Json.writeString(s.phones()));
                ps.setArray(7, GoldenRepository.intArray2(c, s.tokens()));
                ps.setString(8, s.modelVersion());
                ps.setObject(9, s.sampling() == null ? null : s.sampling().temperature());
                ps.setObject(10, s.sampling() == null ? null : s.sampling().seed());
                ps.setTimestamp(11, Timestamp.from(s.createdAt() == null ? Instant.now() : s.createdAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * One training batch of the syntheses (landed first, if not yet), committed, then announced; returns its id.
     *
     * @param golden   golden utterances by id (each synthesis names its own)
     * @param reversed false: golden_vs_synthetic pairs, golden chosen (the paper's dataset); true: the synthetic side chosen
     *                 over golden, labelled rating_ranked — pairs that teach the model to move away from golden speech
     */
    public static String write(DataSource ds, Producer<String, byte[]> producer, Map<String, Utterance> golden, List<Synthesis> syntheses,
                               boolean reversed) throws SQLException, InterruptedException, ExecutionException {
        String batch = "batch-" + UUID.randomUUID();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            insertSyntheses(c, syntheses);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO training_batches (batch_id, pair_count) VALUES (?, ?)")) {
                ps.setString(1, batch);
                ps.setInt(2, syntheses.size());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO preference_pairs (pair_id, source, utterance_id, text, speaker, phones, "
                    + "chosen_tokens, chosen_synthesis_id, chosen_utterance_id, rejected_tokens, rejected_synthesis_id, rejected_utterance_id, "
                    + "rejected_model_version, created_at, batch_id) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, now(), ?)")) {
                for (Synthesis s : syntheses) {
                    Utterance u = golden.get(s.utteranceId());
                    if (u == null) throw new IllegalArgumentException("no golden utterance " + s.utteranceId() + " for synthesis " + s.synthesisId());
                    var gold = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), Examples.durations(u));
                    var synthetic = PreferencePair.Side.synthesis(s.synthesisId(), s.tokens()[0],
                            s.phones().stream().mapToInt(PhoneFrames::frames).toArray());
                    var source = reversed ? PreferencePair.Source.RATING_RANKED : PreferencePair.Source.GOLDEN_VS_SYNTHETIC;
                    var chosen = reversed ? synthetic : gold;
                    var rejected = reversed ? gold : synthetic;
                    List<PhoneFrames> phones = new ArrayList<>();
                    for (int i = 0; i < u.phones().size(); i++) phones.add(new PhoneFrames(u.phones().get(i).symbol(), chosen.durations()[i]));
                    ps.setString(1, PreferencePair.pairIdOf(source, chosen, rejected));
                    ps.setString(2, source.wire());
                    ps.setString(3, u.utteranceId());
                    ps.setString(4, u.text());
                    ps.setString(5, u.speaker());
                    ps.setString(6, Json.writeString(phones));
                    ps.setArray(7, GoldenRepository.intArray2(c, chosen.tokens()));
                    ps.setString(8, chosen.synthesisId());
                    ps.setString(9, chosen.utteranceId());
                    ps.setArray(10, GoldenRepository.intArray2(c, rejected.tokens()));
                    ps.setString(11, rejected.synthesisId());
                    ps.setString(12, rejected.utteranceId());
                    ps.setString(13, s.modelVersion());
                    ps.setString(14, batch);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
        producer.send(new ProducerRecord<>(Topics.TRAINING_BATCHES, batch, Json.write(new TrainingBatch(batch, syntheses.size(), Instant.now())))).get();
        return batch;
    }
}
