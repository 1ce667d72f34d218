package org.speechalign.feedback;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * feedback-service settings (prefix {@code feedback}; environment {@code FEEDBACK_…}).
 *
 * @param maxBatchSize           most ratings in one POST /v1/ratings array (default 1000; more is 413)
 * @param defaultRateLimit       events per second per key per instance when the key sets none (default 2000)
 * @param keyCacheTtl            how long a key lookup (or a revocation) may be cached (default 5s)
 * @param ackTimeout             how long a request waits for Kafka's acknowledgement before 503 (default 30s)
 * @param sinkEnabled            run the Kafka → PostgreSQL sink in this service (default true)
 * @param sinkGroupId            consumer group of the sink (default feedback-service-sink)
 * @param sinkConsumers          the sink's consumers in this instance, each on a thread of its own (default 1; more than
 *                               the topics' partitions, 3 by default, sit idle; 2 on this 2-core bench machine: 11-13 %
 *                               more ratings stored per second, within its noise)
 * @param claimWorkers           claim groups of arrays in flight side by side, per kind (default 4)
 * @param claimSingleWorkers     claim groups of one-event requests in flight side by side, per kind (default 1: while
 *                               one is claimed the next ones queue up into one larger group; 0: they share the
 *                               arrays' workers)
 * @param claimGroupEvents       most events whose ids one PostgreSQL transaction claims for concurrent requests (default 1000)
 * @param claimLinger            how long a claim group waits for more requests (default 0: it takes what queued up
 *                               while the previous group was claimed)
 */
@ConfigurationProperties("feedback")
public record FeedbackSettings(
        @Bindable(defaultValue = "1000") int maxBatchSize,
        @Bindable(defaultValue = "2000") int defaultRateLimit,
        @Bindable(defaultValue = "5s") Duration keyCacheTtl,
        @Bindable(defaultValue = "30s") Duration ackTimeout,
        @Bindable(defaultValue = "true") boolean sinkEnabled,
        @Bindable(defaultValue = "feedback-service-sink") String sinkGroupId,
        @Bindable(defaultValue = "1") int sinkConsumers,
        @Bindable(defaultValue = "4") int claimWorkers,
        @Bindable(defaultValue = "1") int claimSingleWorkers,
        @Bindable(defaultValue = "1000") int claimGroupEvents,
        @Bindable(defaultValue = "0ms") Duration claimLinger) {
}
