/**
 * Evaluation of the codec language model beyond what the harness ({@code org.speechalign.eval})
 * measures for any speech system: the model as a {@link org.speechalign.lm.eval.CodecLmSpeech}
 * system (NAR on synthetic or on golden coarse tokens) and the distribution gap between golden and
 * synthesised coarse sequences ({@link org.speechalign.lm.eval.DistributionGap},
 * {@link org.speechalign.lm.eval.GapClassifier}).
 */
package org.speechalign.lm.eval;
