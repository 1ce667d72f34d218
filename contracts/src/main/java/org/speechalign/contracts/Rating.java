package org.speechalign.contracts;

import java.time.Instant;

/**
 * {@code speech.ratings.v1}, key {@code synthesis_id}: one person's score of one synthesis.
 *
 * @param ratingId    the rating's id, chosen by the product; the first accepted payload wins
 * @param synthesisId the synthesis rated (may not have been seen yet: products race the synthesis event)
 * @param raterId     who rated (pseudonymous id chosen by the product)
 * @param score       1 (bad) … 5 (excellent)
 * @param createdAt   when the rating was given; filled with the time of receipt when absent over HTTP
 */
public record Rating(String ratingId, String synthesisId, String raterId, Integer score, Instant createdAt) {

    public Rating withCreatedAt(Instant at) {
        return new Rating(ratingId, synthesisId, raterId, score, at);
    }
}
