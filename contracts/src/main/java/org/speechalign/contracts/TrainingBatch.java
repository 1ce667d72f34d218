package org.speechalign.contracts;

import java.time.Instant;

/**
 * {@code speech.training-batches.v1}, key {@code batch_id}: a batch of preference pairs is ready
 * for DPO. The pairs belong to the batch in PostgreSQL ({@code preference_pairs.batch_id}).
 *
 * @param batchId   id of the {@code training_batches} row
 * @param pairCount how many pairs the batch holds
 * @param createdAt when the batch was closed
 */
public record TrainingBatch(String batchId, Integer pairCount, Instant createdAt) {
}
