/**
 * feedback-service: the HTTP front door for ratings and comparisons. Its beans exist only in an
 * application context running the {@code feedback} environment, so several services can share
 * one JVM (embedded mode), each in its own context with only its own beans.
 */
@Configuration
@Requires(env = FeedbackService.ENVIRONMENT)
package org.speechalign.feedback;

import io.micronaut.context.annotation.Configuration;
import io.micronaut.context.annotation.Requires;
