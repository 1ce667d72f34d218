package org.speechalign.dpo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * Settings of a DPO run on the AR model.
 *
 * <p><b>Length handling.</b> A side's log-probability is the sum, over every AR token of the side
 * (each frame's coarse token and each phone's ADVANCE token), of the token's exact log-probability
 * (kind + voicing + energy + pitch heads; no label smoothing). {@link LengthNorm#SUM} uses that sum
 * as DPO's {@code log pi(y|x)}, as TRL does for sigmoid/hinge/robust; {@link LengthNorm#MEAN} divides
 * it by the side's token count (TRL does this for IPO). {@link LengthNorm#AUTO} picks MEAN for IPO and
 * SUM otherwise. With SUM, a rejected sample that is longer than the golden side (the model drawls)
 * is pushed down more per pair than a shorter one; that is the method, and it is why durations are
 * part of what DPO improves here. The optional SFT term is always per-token (chosen NLL divided by
 * the chosen length), as TRL's {@code rpo_alpha} term.
 *
 * @param lossType sigmoid | ipo | hinge | robust
 * @param beta DPO's beta (IPO's tau)
 * @param labelSmoothing label smoothing for sigmoid (conservative DPO) and robust, in [0, 0.5)
 * @param sftWeight weight of the SFT term on the chosen side (0 = off)
 * @param lengthNorm see above
 * @param learningRate Adam's learning rate (constant)
 * @param batchSize pairs per step
 * @param steps optimiser steps
 * @param clip global gradient-norm clip (0 = off)
 * @param seed batch order and any dropout
 * @param disableDropout run the policy without dropout, as TRL does by default (then policy = reference at step 0 exactly)
 */
public record DpoConfig(
        @JsonProperty("loss_type") LossType lossType,
        @JsonProperty("beta") double beta,
        @JsonProperty("label_smoothing") double labelSmoothing,
        @JsonProperty("sft_weight") double sftWeight,
        @JsonProperty("length_norm") LengthNorm lengthNorm,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("steps") int steps,
        @JsonProperty("clip") double clip,
        @JsonProperty("seed") long seed,
        @JsonProperty("disable_dropout") boolean disableDropout) {

    public enum LossType {
        @JsonProperty("sigmoid") SIGMOID,
        @JsonProperty("ipo") IPO,
        @JsonProperty("hinge") HINGE,
        @JsonProperty("robust") ROBUST;

        public static LossType parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum LengthNorm {
        @JsonProperty("auto") AUTO,
        @JsonProperty("sum") SUM,
        @JsonProperty("mean") MEAN;

        public static LengthNorm parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public DpoConfig {
        if (lossType == null) throw new IllegalArgumentException("loss type is required");
        if (lengthNorm == null) lengthNorm = LengthNorm.AUTO;
        if (!(beta > 0)) throw new IllegalArgumentException("beta must be > 0");
        if (labelSmoothing < 0 || labelSmoothing >= 0.5) throw new IllegalArgumentException("label smoothing must be in [0, 0.5)");
        if (sftWeight < 0) throw new IllegalArgumentException("sft weight must be >= 0");
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0");
        if (batchSize < 1 || steps < 0) throw new IllegalArgumentException("batch size must be >= 1 and steps >= 0");
        if (clip < 0) throw new IllegalArgumentException("clip must be >= 0");
    }

    /** Defaults for the small CPU model: sigmoid, beta 0.1, lr 1e-4, batch 16, 100 steps, clip 1. */
    public static DpoConfig defaults() {
        return new DpoConfig(LossType.SIGMOID, 0.1, 0.0, 0.0, LengthNorm.AUTO, 1e-4, 16, 100, 1.0, 1, true);
    }

    /** True when sequence log-probs are divided by their token counts. */
    public boolean meanOverTokens() {
        return lengthNorm == LengthNorm.MEAN || (lengthNorm == LengthNorm.AUTO && lossType == LossType.IPO);
    }

    public DpoConfig withLoss(LossType t) {
        return new DpoConfig(t, beta, labelSmoothing, sftWeight, lengthNorm, learningRate, batchSize, steps, clip, seed, disableDropout);
    }

    public DpoConfig withBeta(double b) {
        return new DpoConfig(lossType, b, labelSmoothing, sftWeight, lengthNorm, learningRate, batchSize, steps, clip, seed, disableDropout);
    }

    public DpoConfig withLabelSmoothing(double ls) {
        return new DpoConfig(lossType, beta, ls, sftWeight, lengthNorm, learningRate, batchSize, steps, clip, seed, disableDropout);
    }

    public DpoConfig withSftWeight(double w) {
        return new DpoConfig(lossType, beta, labelSmoothing, w, lengthNorm, learningRate, batchSize, steps, clip, seed, disableDropout);
    }

    public DpoConfig withLengthNorm(LengthNorm n) {
        return new DpoConfig(lossType, beta, labelSmoothing, sftWeight, n, learningRate, batchSize, steps, clip, seed, disableDropout);
    }

    public DpoConfig withTraining(double lr, int batch, int steps, double clip) {
        return new DpoConfig(lossType, beta, labelSmoothing, sftWeight, lengthNorm, lr, batch, steps, clip, seed, disableDropout);
    }

    public DpoConfig withSeed(long s) {
        return new DpoConfig(lossType, beta, labelSmoothing, sftWeight, lengthNorm, learningRate, batchSize, steps, clip, s, disableDropout);
    }
}
