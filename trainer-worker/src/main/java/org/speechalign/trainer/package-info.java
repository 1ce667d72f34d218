/**
 * trainer-worker: claims training batches with a lease, runs DPO from the serving model, evaluates
 * the candidate against the serving model on held-out sentences, promotes or rejects it, and serves
 * the admin API (promote, rollback, retention). Its beans exist only in an application context
 * running the {@code trainer} environment.
 */
@Configuration
@Requires(env = TrainerService.ENVIRONMENT)
package org.speechalign.trainer;

import io.micronaut.context.annotation.Configuration;
import io.micronaut.context.annotation.Requires;
