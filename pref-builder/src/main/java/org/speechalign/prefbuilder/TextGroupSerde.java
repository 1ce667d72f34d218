package org.speechalign.prefbuilder;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.TreeMap;
import org.speechalign.prefbuilder.PairingState.RankMember;
import org.speechalign.prefbuilder.PairingState.TextGroup;

/**
 * A compact binary serde for {@link TextGroup}, the rating_ranked group of one (speaker, text).
 * Each rating of a rankable synthesis reads and writes its group several times (subtract and add,
 * then the cache flush reads the new and the old value); as JSON with ISO instants that was the
 * largest CPU cost of a rating (bench pairing). Format: version byte {@value #VERSION}, then the
 * changed id (nullable), the member count and each member. A value starting with {@code '{'} is
 * the earlier JSON format and is still read, so existing state stores and changelogs restore.
 */
final class TextGroupSerde extends BinaryStateSerde<TextGroup> {

    static final byte VERSION = 1;

    TextGroupSerde() {
        super(TextGroup.class, "a text group");
    }

    @Override
    byte[] encode(TextGroup g) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 64 * g.members().size());
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            writeNullable(out, g.changed());
            out.writeInt(g.members().size());
            for (RankMember m : g.members().values()) {
                out.writeUTF(m.synthesisId());
                out.writeDouble(m.meanScore());
                out.writeInt(m.raterCount());
                writeInstant(out, m.createdAt());
                writeInstant(out, m.latestRatingAt());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    TextGroup decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown text group format " + version);
        }
        String changed = readNullable(in);
        int n = in.readInt();
        TreeMap<String, RankMember> members = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            members.put(id, new RankMember(id, in.readDouble(), in.readInt(), readInstant(in), readInstant(in)));
        }
        return new TextGroup(members, changed);
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
