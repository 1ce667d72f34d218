package org.speechalign.lm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Shape and vocabulary of the codec language model: everything needed to rebuild the network
 * before loading its parameters. Serialised as the archive's {@code config.json}.
 *
 * <p>Phone index 0 is padding and 1 is unknown; {@link #phones} lists the symbols from index 2 on.
 * Speaker index 0 is unknown; {@link #speakers} lists the speakers from index 1 on.
 *
 * @param dModel width of every transformer
 * @param heads attention heads
 * @param encoderLayers layers of the AR model's bidirectional phone encoder
 * @param arLayers layers of the AR (causal) decoder
 * @param narLayers layers of the NAR (bidirectional, frame-level) model
 * @param ffnMultiplier width of the MLP as a multiple of dModel
 * @param dropout dropout rate in training
 * @param maxPosInPhone position-in-phone embeddings (positions beyond are clamped); also the AR's
 *     hard cap on frames per phone at generation
 * @param coarse field sizes of the coarse codebook
 * @param fineCodebooks number of fine codebooks the NAR predicts
 * @param fineSize values per fine codebook
 * @param energySigma Gaussian label smoothing across neighbouring energy levels (0 = one-hot)
 * @param pitchSigma the same for pitch (Wo)
 * @param fineSigma the same for the fine (LSP) codebooks
 */
public record LmConfig(
        @JsonProperty("d_model") int dModel,
        @JsonProperty("heads") int heads,
        @JsonProperty("encoder_layers") int encoderLayers,
        @JsonProperty("ar_layers") int arLayers,
        @JsonProperty("nar_layers") int narLayers,
        @JsonProperty("ffn_multiplier") int ffnMultiplier,
        @JsonProperty("dropout") float dropout,
        @JsonProperty("max_pos_in_phone") int maxPosInPhone,
        @JsonProperty("coarse") CoarseLayout coarse,
        @JsonProperty("fine_codebooks") int fineCodebooks,
        @JsonProperty("fine_size") int fineSize,
        @JsonProperty("energy_sigma") float energySigma,
        @JsonProperty("pitch_sigma") float pitchSigma,
        @JsonProperty("fine_sigma") float fineSigma,
        @JsonProperty("phones") List<String> phones,
        @JsonProperty("speakers") List<String> speakers) {

    public static final int PAD_PHONE = 0;
    public static final int UNKNOWN_PHONE = 1;

    public LmConfig {
        Objects.requireNonNull(coarse, "coarse layout");
        phones = List.copyOf(phones);
        speakers = List.copyOf(speakers);
        if (dModel <= 0 || heads <= 0 || dModel % heads != 0) {
            throw new IllegalArgumentException("d_model " + dModel + " must be a positive multiple of heads " + heads);
        }
        if (encoderLayers < 0 || arLayers <= 0 || narLayers <= 0) throw new IllegalArgumentException("layer counts must be positive");
        if (maxPosInPhone < 2) throw new IllegalArgumentException("max_pos_in_phone must be at least 2");
    }

    /** A small default shape for the given vocabularies (codec2 3200 layout). */
    public static LmConfig small(List<String> phones, List<String> speakers) {
        return new LmConfig(192, 4, 2, 4, 3, 3, 0.1f, 64, CoarseLayout.CODEC2_3200, 10, 400,
                1.0f, 1.5f, 1.0f, phones, speakers);
    }

    /** A tiny shape for tests. */
    public static LmConfig tiny(List<String> phones, List<String> speakers, CoarseLayout coarse, int fineCodebooks, int fineSize) {
        return new LmConfig(32, 2, 1, 2, 1, 2, 0.0f, 16, coarse, fineCodebooks, fineSize,
                1.0f, 1.0f, 1.0f, phones, speakers);
    }

    public int phoneVocab() {
        return phones.size() + 2;
    }

    public int speakerVocab() {
        return speakers.size() + 1;
    }

    public int phoneIndex(String symbol) {
        int i = phones.indexOf(symbol);
        return i < 0 ? UNKNOWN_PHONE : i + 2;
    }

    public int speakerIndex(String speaker) {
        int i = speakers.indexOf(speaker);
        return i < 0 ? 0 : i + 1;
    }

    public LmConfig withShape(int dModel, int heads, int encoderLayers, int arLayers, int narLayers) {
        return new LmConfig(dModel, heads, encoderLayers, arLayers, narLayers, ffnMultiplier, dropout, maxPosInPhone,
                coarse, fineCodebooks, fineSize, energySigma, pitchSigma, fineSigma, phones, speakers);
    }

    public LmConfig withDropout(float p) {
        return new LmConfig(dModel, heads, encoderLayers, arLayers, narLayers, ffnMultiplier, p, maxPosInPhone,
                coarse, fineCodebooks, fineSize, energySigma, pitchSigma, fineSigma, phones, speakers);
    }
}
