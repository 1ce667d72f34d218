package org.speechalign.lm.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Supervised training settings. The data order and dropout are functions of {@code seed} and the
 * step number, so a run resumed from a checkpoint continues exactly as if never interrupted.
 *
 * @param batchSize utterances per step
 * @param warmupSteps linear warm-up; then cosine decay to {@code minLrFraction * lr}
 * @param clip global gradient-norm clip (0 = off)
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 */
public record TrainConfig(
        @JsonProperty("steps") int steps,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("lr") double lr,
        @JsonProperty("warmup_steps") int warmupSteps,
        @JsonProperty("min_lr_fraction") double minLrFraction,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("clip") double clip,
        @JsonProperty("seed") long seed,
        @JsonProperty("checkpoint_every") int checkpointEvery,
        @JsonProperty("train_ar") boolean trainAr,
        @JsonProperty("train_nar") boolean trainNar) {

    public TrainConfig {
        if (steps < 0 || batchSize < 1 || lr <= 0) throw new IllegalArgumentException("steps >= 0, batch_size >= 1 and lr > 0 required");
        if (!trainAr && !trainNar) throw new IllegalArgumentException("nothing to train");
    }

    public static TrainConfig defaults(int steps, int batchSize, long seed) {
        return new TrainConfig(steps, batchSize, 2e-3, Math.min(200, Math.max(1, steps / 10)), 0.1, 0.01, 1.0, seed, 200, true, true);
    }

    public TrainConfig withSteps(int n) {
        return new TrainConfig(n, batchSize, lr, warmupSteps, minLrFraction, weightDecay, clip, seed, checkpointEvery, trainAr, trainNar);
    }

    public TrainConfig withLr(double newLr, int warmup) {
        return new TrainConfig(steps, batchSize, newLr, warmup, minLrFraction, weightDecay, clip, seed, checkpointEvery, trainAr, trainNar);
    }

    public TrainConfig withCheckpointEvery(int n) {
        return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrFraction, weightDecay, clip, seed, n, trainAr, trainNar);
    }

    /** Learning rate at (0-based) step {@code s}. */
    public double lrAt(int s) {
        if (s < warmupSteps) return lr * (s + 1) / warmupSteps;
        double progress = steps <= warmupSteps ? 1 : (double) (s - warmupSteps) / (steps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        return lr * (minLrFraction + (1 - minLrFraction) * cosine);
    }
}
