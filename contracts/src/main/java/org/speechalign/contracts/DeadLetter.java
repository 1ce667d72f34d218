package org.speechalign.contracts;

import java.time.Instant;

/**
 * A record on {@code <topic>.dlq}: an input record a consumer could not process, kept whole.
 *
 * @param sourceTopic     topic the record was read from
 * @param sourcePartition its partition
 * @param sourceOffset    its offset
 * @param key             the original key bytes (base64 in JSON), may be null
 * @param value           the original value bytes (base64 in JSON), may be null
 * @param reason          why it was rejected (names the field when validation failed)
 * @param consumer        which component rejected it (e.g. {@code feedback-service.sink})
 * @param failedAt        when it was rejected
 */
public record DeadLetter(String sourceTopic, Integer sourcePartition, Long sourceOffset, byte[] key, byte[] value,
                         String reason, String consumer, Instant failedAt) {
}
