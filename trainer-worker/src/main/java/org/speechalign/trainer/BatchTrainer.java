package org.speechalign.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.Json;
import org.speechalign.corpus.Utterance;
import org.speechalign.dpo.DpoConfig;
import org.speechalign.dpo.DpoLoss;
import org.speechalign.dpo.DpoTrainer;
import org.speechalign.dpo.PairSequences;
import org.speechalign.dpo.ReferenceLogProbs;
import org.speechalign.lm.CodecLm;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.registry.OutboxRelay;
import org.speechalign.loop.store.ModelStore;

/**
 * One claimed batch, start to finish: load the serving model (start and reference: its log-probs
 * of every pair are computed once before training), DPO on the batch's pairs with per-step metrics
 * into {@code training_metrics}, save the candidate into the model store, evaluate it against the
 * serving model ({@link Gate}), then in ONE transaction — only if the claim is still ours — register
 * the version, promote or reject it, and mark the batch done. The outbox relay then publishes
 * {@code speech.model-versions.v1}. A worker that dies anywhere before that commit leaves no version
 * and the batch is reclaimed after its lease; one that lost its lease cannot commit. So each batch
 * produces exactly one version.
 */
final class BatchTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchTrainer.class);

    /** Thrown out of the step listener to stop a run whose claim was lost. */
    static final class ClaimLost extends RuntimeException {
        ClaimLost(String batch) {
            super("claim on batch " + batch + " was lost (lease expired and taken over)", null, false, false);
        }
    }

    record Outcome(String version, boolean promoted, String reason) {
    }

    private final DataSource dataSource;
    private final ModelRegistry registry;
    private final ModelStore store;
    private final GoldenRepository golden;
    private final PairLoader pairs;
    private final OutboxRelay relay;
    private final TrainerSettings settings;
    private final MeterRegistry meters;
    private final Path work;

    BatchTrainer(DataSource dataSource, ModelRegistry registry, ModelStore store, GoldenRepository golden, OutboxRelay relay,
                 TrainerSettings settings, MeterRegistry meters, Path work) {
        this.dataSource = dataSource;
        this.registry = registry;
        this.store = store;
        this.golden = golden;
        this.pairs = new PairLoader(dataSource);
        this.relay = relay;
        this.settings = settings;
        this.meters = meters;
        this.work = work;
    }

    DpoConfig dpoConfig() {
        return new DpoConfig(DpoConfig.LossType.parse(settings.dpoLoss()), settings.dpoBeta(), 0.0, settings.dpoSftWeight(),
                DpoConfig.LengthNorm.AUTO, settings.dpoLearningRate(), settings.dpoBatchSize(), settings.dpoSteps(), settings.dpoClip(),
                settings.dpoSeed(), true);
    }

    Outcome train(BatchClaims claims, BatchClaims.Claim claim, AtomicBoolean lost) throws Exception {
        String line = settings.modelLine();
        ModelRegistry.Version parent = registry.serving(line)
                .orElseThrow(() -> new IllegalStateException("model line " + line + " serves no version: nothing to start DPO from"));
        PairLoader.Loaded loaded = pairs.load(claim.batchId());
        if (loaded.pairs().isEmpty()) throw new IllegalStateException("batch " + claim.batchId() + " has no usable pairs (" + loaded.skipped() + " skipped)");
        List<Utterance> heldOut = golden.heldOut(settings.gateHeldOut());
        Path local = store.fetch(parent.artifactUri(), parent.artifactSha256());
        long t0 = System.nanoTime();
        Map<String, Double> metrics = new LinkedHashMap<>();
        Path saved;
        Gate.Verdict verdict;
        try (CodecLm policy = CodecLm.load(local, parent.artifactSha256()); CodecLm serving = CodecLm.load(local, parent.artifactSha256())) {
            PairSequences seqs = new PairSequences(policy.config(), loaded.pairs());
            DpoConfig cfg = dpoConfig();
            // policy = reference at the start: the reference log-probs are the serving model's, computed once
            ReferenceLogProbs ref = DpoTrainer.reference(policy, seqs, cfg.batchSize());
            DpoTrainer.Result result = new DpoTrainer(cfg).onStep((step, m) -> {
                if (lost.get()) throw new ClaimLost(claim.batchId());
                recordStep(claim, step, m, cfg.learningRate());
            }).train(policy, seqs, ref);
            policy.metadata().put("dpo", Map.of("batch_id", claim.batchId(), "parent_version", parent.version(),
                    "reference_sha256", parent.artifactSha256(), "steps", cfg.steps(), "pairs", seqs.size()));
            Files.createDirectories(work);
            saved = policy.save(work);
            result.last().forEach((k, v) -> metrics.put("dpo_final_" + k.replace('/', '_'), (double) v));
            metrics.put("dpo_pairs", (double) seqs.size());
            metrics.put("dpo_pairs_skipped", (double) loaded.skipped());
            metrics.put("dpo_steps", (double) cfg.steps());
            metrics.put("dpo_seconds", result.seconds());
            verdict = new Gate(settings.gateMargin(), settings.gateMinHeldOut(), settings.gateBootstrap(), settings.gateConfidence(),
                    settings.dpoSeed()).judge(serving, policy, heldOut);
        }
        if (lost.get()) throw new ClaimLost(claim.batchId());
        metrics.putAll(verdict.metrics());
        metrics.entrySet().removeIf(e -> e.getValue() == null || !Double.isFinite(e.getValue()));
        ModelStore.Stored stored = store.put(saved);
        Files.deleteIfExists(saved);
        String version = ModelRegistry.versionName(line, stored.sha256());
        String actor = "trainer-worker:" + claims.workerId();
        Outcome outcome = registry.inTransaction(c -> {
            if (!claims.stillHeld(c, claim)) throw new ClaimLost(claim.batchId());
            registry.register(c, new ModelRegistry.NewVersion(version, line, parent.version(), stored.uri(), stored.sha256(), metrics,
                    claim.batchId()), actor, "DPO on batch " + claim.batchId(), Map.of("batch_id", claim.batchId(), "attempt", claim.attempt()));
            Map<String, Object> details = new LinkedHashMap<>(verdict.metrics());
            details.values().removeIf(v -> v instanceof Double d && !Double.isFinite(d));
            boolean promote = verdict.pass();
            String reason = verdict.reason();
            ModelRegistry.lockLine(c, line);
            String servingNow = ModelRegistry.servingVersion(c, line).orElse(null);
            if (promote && !parent.version().equals(servingNow)) {
                promote = false;
                reason = "serving version changed from " + parent.version() + " to " + servingNow + " during training; " + reason;
            }
            if (promote) registry.promote(c, version, "gate", reason, details);
            else registry.reject(c, version, "gate", reason, details);
            claims.done(c, claim, version, null);
            return new Outcome(version, promote, reason);
        });
        meters.counter("trainer.batches", "result", outcome.promoted() ? "promoted" : "rejected").increment();
        LOG.info("batch {} (attempt {}): {} {} in {} s — {}", claim.batchId(), claim.attempt(), outcome.promoted() ? "promoted" : "rejected",
                version, Math.round((System.nanoTime() - t0) / 1e9), outcome.reason());
        try {
            relay.publishPending();
        } catch (SQLException e) {
            LOG.warn("model event publication deferred (the relay retries): {}", e.getMessage());
        }
        return outcome;
    }

    private void recordStep(BatchClaims.Claim claim, int step, Map<String, Float> m, double lr) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO training_metrics (batch_id, attempt, step, loss, reward_margin, reward_accuracy, "
                     + "learning_rate, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (batch_id, attempt, step) DO UPDATE SET "
                     + "loss = EXCLUDED.loss, reward_margin = EXCLUDED.reward_margin, reward_accuracy = EXCLUDED.reward_accuracy, "
                     + "learning_rate = EXCLUDED.learning_rate, extra = EXCLUDED.extra, recorded_at = now()")) {
            ps.setString(1, claim.batchId());
            ps.setInt(2, claim.attempt());
            ps.setInt(3, step);
            ps.setDouble(4, finite(m.get(DpoLoss.LOSS)));
            ps.setObject(5, nullable(m.get(DpoLoss.REWARDS_MARGINS)));
            ps.setObject(6, nullable(m.get(DpoLoss.REWARDS_ACCURACIES)));
            ps.setDouble(7, lr);
            Map<String, Object> extra = new LinkedHashMap<>();
            m.forEach((k, v) -> extra.put(k, v != null && Float.isFinite(v) ? v : null));
            extra.put("learning_rate", lr);
            ps.setString(8, Json.writeString(extra));
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("training_metrics step {} of batch {}: {}", step, claim.batchId(), e.getMessage());
        }
    }

    private static double finite(Float f) {
        return f == null || !Float.isFinite(f) ? Double.NaN : f;
    }

    private static Double nullable(Float f) {
        return f == null || !Float.isFinite(f) ? null : (double) f;
    }
}
