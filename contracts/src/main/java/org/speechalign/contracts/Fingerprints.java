package org.speechalign.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The payload fingerprint that decides "same id, same payload" (a duplicate, accepted once)
 * versus "same id, different payload" (a conflict: 409 over HTTP, DLQ on Kafka). created_at is
 * left out: it may be filled at receipt, so a retry would otherwise look different.
 */
public final class Fingerprints {

    private Fingerprints() {
    }

    public static String rating(Rating r) {
        return sha256("rating\u0000" + r.ratingId() + "\u0000" + r.synthesisId() + "\u0000" + r.raterId() + "\u0000" + r.score());
    }

    public static String comparison(Comparison c) {
        return sha256("comparison\u0000" + c.comparisonId() + "\u0000" + c.synthesisA() + "\u0000" + c.synthesisB()
                + "\u0000" + c.winner().wire() + "\u0000" + c.raterId());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
