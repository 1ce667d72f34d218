package org.speechalign.prefbuilder;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.speechalign.prefbuilder.PairingState.RaterScore;
import org.speechalign.prefbuilder.PairingState.RatingSummary;

/**
 * A compact binary serde for {@link RatingSummary}, the value of {@link PrefBuilderTopology#RATINGS_STORE}:
 * every rating reads and writes its synthesis's summary (and the cache flush reads the old one); as JSON
 * (a map of objects with ISO instants) that was one of the stream thread's larger costs per rating
 * (bench pairing). Format: version byte {@value #VERSION}, the rater count, then per rater its id, the
 * rating id, the score and the time (nullable). A value starting with {@code '{'} is the earlier JSON
 * format and is still read, so existing state stores and changelogs restore.
 */
final class RatingSummarySerde extends BinaryStateSerde<RatingSummary> {

    static final byte VERSION = 1;

    RatingSummarySerde() {
        super(RatingSummary.class, "a rating summary");
    }

    @Override
    byte[] encode(RatingSummary s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + 64 * s.byRater().size());
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeInt(s.byRater().size());
            for (Map.Entry<String, RaterScore> e : s.byRater().entrySet()) {
                RaterScore r = e.getValue();
                out.writeUTF(e.getKey());
                out.writeBoolean(r.ratingId() != null);
                if (r.ratingId() != null) {
                    out.writeUTF(r.ratingId());
                }
                out.writeInt(r.score());
                out.writeBoolean(r.createdAt() != null);
                if (r.createdAt() != null) {
                    out.writeLong(r.createdAt().getEpochSecond());
                    out.writeInt(r.createdAt().getNano());
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    RatingSummary decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown rating summary format " + version);
        }
        int n = in.readInt();
        TreeMap<String, RaterScore> byRater = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String rater = in.readUTF();
            String ratingId = in.readBoolean() ? in.readUTF() : null;
            int score = in.readInt();
            Instant at = in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
            byRater.put(rater, new RaterScore(ratingId, score, at));
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " bytes left over");
        }
        return new RatingSummary(byRater);
    }
}
