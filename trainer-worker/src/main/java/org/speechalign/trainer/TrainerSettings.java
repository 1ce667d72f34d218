package org.speechalign.trainer;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * trainer-worker settings (prefix {@code trainer}; environment {@code TRAINER_…}).
 *
 * @param workerId            this worker's id in training_batches.claimed_by (default host-pid-random)
 * @param modelLine           model line trained and promoted (default {@code default})
 * @param baseModel           archive registered and promoted as the line's first version if it serves none (optional)
 * @param lease               how long a claim lasts without renewal; renewed every third of it (default 60s)
 * @param sweepInterval       how often to look for claimable batches besides Kafka's announcements (default 10s)
 * @param maxAttempts         claims of a batch before it is marked failed (default 3)
 * @param device              cpu | gpu | auto (default auto: CUDA when the CUDA native jar finds a GPU)
 * @param dpoLoss             sigmoid | ipo | hinge | robust (default sigmoid)
 * @param dpoBeta             DPO beta (default 0.1)
 * @param dpoLearningRate     Adam learning rate (default 1e-4)
 * @param dpoBatchSize        pairs per step (default 16)
 * @param dpoSteps            optimiser steps per training batch (default 100)
 * @param dpoClip             global gradient-norm clip (default 1.0)
 * @param dpoSftWeight        SFT term on the chosen side (default 0)
 * @param dpoSeed             seed of batch order (default 1)
 * @param gateMargin          candidate may be worse than serving by at most this much (nats per token of held-out golden NLL) at the upper end of the interval (default 0.01)
 * @param gateHeldOut         held-out (test split) utterances the gate compares on (default 200)
 * @param gateMinHeldOut      fewer held-out utterances than this: the candidate is rejected (default 5)
 * @param gateBootstrap       bootstrap resamples of the interval (default 2000)
 * @param gateConfidence      two-sided confidence of the interval (default 0.95)
 * @param keepRollbackTargets earlier serving versions whose artifacts retention keeps (default 3)
 * @param retentionMinAge     artifacts younger than this are never collected (default 7d)
 * @param retentionInterval   how often retention runs, 0 = only on POST /v1/artifacts/gc (default 1h)
 * @param keyCacheTtl         API key cache time (default 5s)
 */
@ConfigurationProperties("trainer")
public record TrainerSettings(
        @Nullable String workerId,
        @Bindable(defaultValue = "default") String modelLine,
        @Nullable String baseModel,
        @Bindable(defaultValue = "60s") Duration lease,
        @Bindable(defaultValue = "10s") Duration sweepInterval,
        @Bindable(defaultValue = "3") int maxAttempts,
        @Bindable(defaultValue = "auto") String device,
        @Bindable(defaultValue = "sigmoid") String dpoLoss,
        @Bindable(defaultValue = "0.1") double dpoBeta,
        @Bindable(defaultValue = "1e-4") double dpoLearningRate,
        @Bindable(defaultValue = "16") int dpoBatchSize,
        @Bindable(defaultValue = "100") int dpoSteps,
        @Bindable(defaultValue = "1.0") double dpoClip,
        @Bindable(defaultValue = "0.0") double dpoSftWeight,
        @Bindable(defaultValue = "1") long dpoSeed,
        @Bindable(defaultValue = "0.01") double gateMargin,
        @Bindable(defaultValue = "200") int gateHeldOut,
        @Bindable(defaultValue = "5") int gateMinHeldOut,
        @Bindable(defaultValue = "2000") int gateBootstrap,
        @Bindable(defaultValue = "0.95") double gateConfidence,
        @Bindable(defaultValue = "3") int keepRollbackTargets,
        @Bindable(defaultValue = "7d") Duration retentionMinAge,
        @Bindable(defaultValue = "1h") Duration retentionInterval,
        @Bindable(defaultValue = "5s") Duration keyCacheTtl) {
}
