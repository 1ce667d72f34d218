/**
 * synth-service: serves the codec language model over HTTP, emits every synthesis on
 * {@code speech.synthesis.v1}, self-plays train-split golden utterances, and hot-swaps to each
 * promoted version announced on {@code speech.model-versions.v1} after verifying its artifact. Its
 * beans exist only in an application context running the {@code synth} environment.
 */
@Configuration
@Requires(env = SynthService.ENVIRONMENT)
package org.speechalign.synth;

import io.micronaut.context.annotation.Configuration;
import io.micronaut.context.annotation.Requires;
