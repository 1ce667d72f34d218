package org.speechalign.prefbuilder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.speechalign.contracts.CodecSpec;
import org.speechalign.contracts.GoldenUtterance;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.prefbuilder.PairingState.EnrichedSynthesis;

/**
 * A compact binary serde for {@link EnrichedSynthesis} (a synthesis with its golden utterance), the
 * value of {@link PrefBuilderTopology#ENRICHED_STORE}. Every rating reads it (the ratings join), and it
 * holds two token arrays (codebooks × frames); as JSON, parsing those ints was the largest CPU cost of a
 * rating (bench pairing). Format: version byte {@value #VERSION}, then the synthesis and the (nullable)
 * golden utterance field by field; strings UTF-8 with a length (-1: null), token rows as a length
 * and big-endian ints. A value starting with {@code '{'} is the earlier JSON format and is still read,
 * so existing state stores and changelogs restore.
 */
final class EnrichedSynthesisSerde extends BinaryStateSerde<EnrichedSynthesis> {

    static final byte VERSION = 1;

    EnrichedSynthesisSerde() {
        super(EnrichedSynthesis.class, "a synthesis with its golden utterance");
    }

    @Override
    byte[] encode(EnrichedSynthesis e) {
        Out out = new Out();
        out.b(VERSION);
        Synthesis s = e.synthesis();
        out.string(s.synthesisId());
        out.b((byte) (s.origin() == null ? -1 : s.origin().ordinal()));
        out.string(s.utteranceId());
        out.string(s.text());
        out.string(s.speaker());
        out.phones(s.phones());
        out.tokens(s.tokens());
        out.string(s.modelVersion());
        Synthesis.Sampling sp = s.sampling();
        out.b((byte) (sp == null ? 0 : 1));
        if (sp != null) {
            out.nullableDouble(sp.temperature());
            out.b((byte) (sp.topK() == null ? 0 : 1));
            if (sp.topK() != null) {
                out.ensure(4);
                out.buf.putInt(sp.topK());
            }
            out.nullableDouble(sp.topP());
            out.b((byte) (sp.seed() == null ? 0 : 1));
            if (sp.seed() != null) {
                out.ensure(8);
                out.buf.putLong(sp.seed());
            }
        }
        out.instant(s.createdAt());
        GoldenUtterance g = e.golden();
        out.b((byte) (g == null ? 0 : 1));
        if (g != null) {
            out.string(g.utteranceId());
            out.string(g.text());
            out.string(g.speaker());
            out.phones(g.phones());
            out.tokens(g.tokens());
            out.b((byte) (g.codec() == null ? 0 : 1));
            if (g.codec() != null) {
                out.string(g.codec().name());
                out.string(g.codec().mode());
            }
            out.b((byte) (g.split() == null ? -1 : g.split().ordinal()));
            out.string(g.corpusVersion());
        }
        byte[] bytes = new byte[out.buf.position()];
        out.buf.flip().get(bytes);
        return bytes;
    }

    @Override
    EnrichedSynthesis decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte version = in.get();
        if (version != VERSION) {
            throw new IllegalStateException("unknown enriched synthesis format " + version);
        }
        String synthesisId = string(in);
        byte origin = in.get();
        String utteranceId = string(in);
        String text = string(in);
        String speaker = string(in);
        List<PhoneFrames> phones = phones(in);
        int[][] tokens = tokens(in);
        String modelVersion = string(in);
        Synthesis.Sampling sampling = null;
        if (in.get() == 1) {
            Double temperature = nullableDouble(in);
            Integer topK = in.get() == 1 ? in.getInt() : null;
            Double topP = nullableDouble(in);
            Long seed = in.get() == 1 ? in.getLong() : null;
            sampling = new Synthesis.Sampling(temperature, topK, topP, seed);
        }
        Instant createdAt = instant(in);
        Synthesis s = new Synthesis(synthesisId, origin < 0 ? null : Synthesis.Origin.values()[origin], utteranceId, text,
                speaker, phones, tokens, modelVersion, sampling, createdAt);
        GoldenUtterance g = null;
        if (in.get() == 1) {
            String gid = string(in);
            String gtext = string(in);
            String gspeaker = string(in);
            List<PhoneFrames> gphones = phones(in);
            int[][] gtokens = tokens(in);
            CodecSpec codec = in.get() == 1 ? new CodecSpec(string(in), string(in)) : null;
            byte split = in.get();
            String corpusVersion = string(in);
            g = new GoldenUtterance(gid, gtext, gspeaker, gphones, gtokens, codec,
                    split < 0 ? null : GoldenUtterance.Split.values()[split], corpusVersion);
        }
        if (in.hasRemaining()) {
            throw new IllegalStateException(in.remaining() + " bytes left over");
        }
        return new EnrichedSynthesis(s, g);
    }

    // ------------------------------------------------------------------ encoding helpers

    /** A growing big-endian buffer. */
    private static final class Out {
        ByteBuffer buf = ByteBuffer.allocate(4096);

        void b(byte v) {
            ensure(1);
            buf.put(v);
        }

        void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void string(String s) {
            if (s == null) {
                ensure(4);
                buf.putInt(-1);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            ensure(4 + b.length);
            buf.putInt(b.length).put(b);
        }

        void nullableDouble(Double d) {
            ensure(9);
            buf.put((byte) (d == null ? 0 : 1));
            if (d != null) {
                buf.putDouble(d);
            }
        }

        void instant(Instant t) {
            ensure(13);
            buf.put((byte) (t == null ? 0 : 1));
            if (t != null) {
                buf.putLong(t.getEpochSecond()).putInt(t.getNano());
            }
        }

        void phones(List<PhoneFrames> phones) {
            ensure(4);
            buf.putInt(phones == null ? -1 : phones.size());
            if (phones == null) {
                return;
            }
            for (PhoneFrames p : phones) {
                string(p.symbol());
                ensure(5);
                buf.put((byte) (p.frames() == null ? 0 : 1));
                if (p.frames() != null) {
                    buf.putInt(p.frames());
                }
            }
        }

        void tokens(int[][] t) {
            ensure(4);
            buf.putInt(t == null ? -1 : t.length);
            if (t == null) {
                return;
            }
            for (int[] row : t) {
                ensure(4 + (row == null ? 0 : 4 * row.length));
                buf.putInt(row == null ? -1 : row.length);
                if (row != null) {
                    buf.asIntBuffer().put(row);
                    buf.position(buf.position() + 4 * row.length);
                }
            }
        }
    }

    private static String string(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) {
            return null;
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    private static Double nullableDouble(ByteBuffer in) {
        return in.get() == 1 ? in.getDouble() : null;
    }

    private static Instant instant(ByteBuffer in) {
        return in.get() == 1 ? Instant.ofEpochSecond(in.getLong(), in.getInt()) : null;
    }

    private static List<PhoneFrames> phones(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) {
            return null;
        }
        List<PhoneFrames> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String symbol = string(in);
            out.add(new PhoneFrames(symbol, in.get() == 1 ? in.getInt() : null));
        }
        return out;
    }

    private static int[][] tokens(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) {
            return null;
        }
        int[][] t = new int[n][];
        for (int i = 0; i < n; i++) {
            int len = in.getInt();
            if (len < 0) {
                continue;
            }
            t[i] = new int[len];
            in.asIntBuffer().get(t[i]);
            in.position(in.position() + 4 * len);
        }
        return t;
    }
}
