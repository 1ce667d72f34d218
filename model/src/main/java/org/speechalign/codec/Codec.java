package org.speechalign.codec;

/**
 * A speech codec seen as a tokenizer: PCM in, discrete tokens out, and back.
 *
 * <p>Tokens are laid out as {@code tokens[codebook][frame]}. Codebook 0 is the coarse codebook
 * (what the autoregressive model writes); codebooks 1.. are the fine codebooks (what the
 * non-autoregressive model fills in).
 */
public interface Codec {

    /** Short name and mode, e.g. {@code codec2} / {@code 3200}; recorded with every token sequence. */
    String name();

    String mode();

    /** Sample rate of the PCM this codec takes and returns, in Hz. */
    int sampleRate();

    /** Token frames per second of audio. */
    double framesPerSecond();

    /** Number of distinct values of each codebook; index 0 is the coarse codebook. */
    int[] codebookSizes();

    /** Encodes 16-bit mono PCM at {@link #sampleRate()}; a trailing partial frame is dropped. */
    int[][] encode(short[] pcm);

    /** Decodes {@code tokens[codebook][frame]} back to 16-bit mono PCM at {@link #sampleRate()}. */
    short[] decode(int[][] tokens);
}
