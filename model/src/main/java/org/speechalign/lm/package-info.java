/**
 * The codec language model (SpeechAlign's two-stage split), in DJL with the PyTorch engine.
 *
 * <ul>
 *   <li>{@link org.speechalign.lm.ArModel}: writes the coarse codebook phone by phone (the frames'
 *       coarse tokens, then ADVANCE; see {@link org.speechalign.lm.ArSequence}), so durations and
 *       prosody are what it samples. Coarse tokens are factorised into voicing, energy and pitch
 *       heads ({@link org.speechalign.lm.CoarseLayout}); energy and pitch are trained with
 *       Gaussian-smoothed targets (ordered levels). {@link org.speechalign.lm.ArModel#sequenceLogProbs}
 *       gives exact per-sequence log-probabilities, with gradients inside a GradientCollector (DPO).</li>
 *   <li>{@link org.speechalign.lm.ArGenerator}: batched generation with a KV cache, temperature /
 *       top-k / top-p, one seeded random stream per request.</li>
 *   <li>{@link org.speechalign.lm.NarModel}: fills the fine codebooks of every frame in parallel.</li>
 *   <li>{@link org.speechalign.lm.CodecLm}: both models plus config; the content-addressed archive.</li>
 *   <li>{@link org.speechalign.lm.train.SupervisedTrainer}: base training, resumable.</li>
 * </ul>
 *
 * <p>Reproducibility: initialisation, data order and dropout are functions of the seed and step, and
 * the optimizer state is checkpointed, so a run (or a resumed run) with the same seed, corpus,
 * thread count and machine gives the same archive checksum. Across machines or thread counts
 * floating-point reduction order differs, and so may the checksum; the tests pin MKL to its
 * reproducible mode ({@code MKL_CBWR=COMPATIBLE}).
 */
package org.speechalign.lm;
