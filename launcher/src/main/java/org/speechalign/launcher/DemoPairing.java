package org.speechalign.launcher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.TrainingBatch;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.PreferencePair;
import org.speechalign.lm.Examples;
import org.speechalign.loop.golden.GoldenRepository;

/**
 * What pref-builder does, done by the demo itself (the demo starts every service of
 * {@link Services#ALL} except pref-builder, so that each iteration's batch is exactly that
 * iteration's self-play pairs, closed at once rather than at pref-builder's threshold): lands self-play syntheses in {@code syntheses} and golden utterances in
 * {@code golden_utterances}, writes the paper's golden_vs_synthetic pairs (train split only) as one
 * training batch and announces it on {@code speech.training-batches.v1}. The demo says so when it
 * uses it.
 */
final class DemoPairing {

    private DemoPairing() {
    }

    static void landSyntheses(DataSource ds, List<Synthesis> syntheses) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO syntheses (synthesis_id, origin, utterance_id, text, speaker, phones, "
                     + "tokens, model_version, temperature, seed, created_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Synthesis s : syntheses) {
                ps.setString(1, s.synthesisId());
                ps.setString(2, s.origin() == Synthesis.Origin.SELF_PLAY ? "self_play" : "product");
                ps.setString(3, s.utteranceId());
                ps.setString(4, s.text());
                ps.setString(5, s.speaker());
                ps.setString(6, Json.writeString(s.phones()));
                ps.setArray(7, GoldenRepository.intArray2(c, s.tokens()));
                ps.setString(8, s.modelVersion());
                ps.setObject(9, s.sampling() == null ? null : s.sampling().temperature());
                ps.setObject(10, s.sampling() == null ? null : s.sampling().seed());
                ps.setObject(11, java.sql.Timestamp.from(s.createdAt() == null ? Instant.now() : s.createdAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** golden_vs_synthetic pairs of the syntheses as one batch, committed, then announced; returns the batch id. */
    static String batch(DataSource ds, Producer<String, byte[]> producer, Map<String, Utterance> golden, List<Synthesis> syntheses)
            throws Exception {
        String batch = "demo-batch-" + UUID.randomUUID();
        int n = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO training_batches (batch_id, pair_count) VALUES (?, ?)")) {
                ps.setString(1, batch);
                ps.setInt(2, syntheses.size());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO preference_pairs (pair_id, source, utterance_id, text, speaker, phones, "
                    + "chosen_tokens, chosen_synthesis_id, chosen_utterance_id, rejected_tokens, rejected_synthesis_id, rejected_utterance_id, "
                    + "rejected_model_version, created_at, batch_id) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, now(), ?) "
                    + "ON CONFLICT (pair_id) DO NOTHING")) {
                for (Synthesis s : syntheses) {
                    Utterance u = golden.get(s.utteranceId());
                    if (u == null || u.split() != Split.TRAIN) continue; // held out means held out
                    var chosen = PreferencePair.Side.golden(u.utteranceId(), u.tokens(), Examples.durations(u));
                    var rejected = PreferencePair.Side.synthesis(s.synthesisId(), s.tokens()[0],
                            s.phones().stream().mapToInt(PhoneFrames::frames).toArray());
                    var source = PreferencePair.Source.GOLDEN_VS_SYNTHETIC;
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
                    n += ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE training_batches SET pair_count = ? WHERE batch_id = ?")) {
                ps.setInt(1, Math.max(1, n));
                ps.setString(2, batch);
                ps.executeUpdate();
            }
            if (n == 0) {
                c.rollback();
                throw new IllegalStateException("no new pairs for a batch");
            }
            c.commit();
        }
        producer.send(new ProducerRecord<>(Topics.TRAINING_BATCHES, batch, Json.write(new TrainingBatch(batch, n, Instant.now())))).get();
        return batch;
    }
}
