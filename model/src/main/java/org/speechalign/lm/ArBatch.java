package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/** A padded batch of {@link ArSequence}s as tensors; padded steps have mask 0. */
public final class ArBatch {

    final int size, maxPhones, maxLength;
    final NDArray phones, phoneMask, speakers;
    final NDArray prevKind, lastV, lastE, lastW, phonePointer, posInPhone;
    final NDArray outKind, outV, outE, outW, mask, frameMask;

    ArBatch(NDManager manager, List<ArSequence> sequences) {
        size = sequences.size();
        maxPhones = sequences.stream().mapToInt(ArSequence::phoneCount).max().orElseThrow();
        maxLength = sequences.stream().mapToInt(ArSequence::length).max().orElseThrow();
        long[] ph = new long[size * maxPhones];
        float[] phm = new float[size * maxPhones];
        long[] spk = new long[size];
        int n = size * maxLength;
        long[] pk = new long[n], lv = new long[n], le = new long[n], lw = new long[n], pp = new long[n], pos = new long[n];
        long[] ok = new long[n], ov = new long[n], oe = new long[n], ow = new long[n];
        float[] m = new float[n], fm = new float[n];
        for (int b = 0; b < size; b++) {
            ArSequence s = sequences.get(b);
            spk[b] = s.speaker;
            for (int i = 0; i < s.phones.length; i++) {
                ph[b * maxPhones + i] = s.phones[i];
                phm[b * maxPhones + i] = 1f;
            }
            for (int t = 0; t < s.length; t++) {
                int j = b * maxLength + t;
                pk[j] = s.prevKind[t];
                lv[j] = s.lastV[t];
                le[j] = s.lastE[t];
                lw[j] = s.lastW[t];
                pp[j] = (long) b * maxPhones + s.phoneIndex[t];
                pos[j] = s.posInPhone[t];
                ok[j] = s.outKind[t];
                ov[j] = s.outV[t];
                oe[j] = s.outE[t];
                ow[j] = s.outW[t];
                m[j] = 1f;
                fm[j] = s.outKind[t] == ArSequence.OUT_FRAME ? 1f : 0f;
            }
            for (int t = s.length; t < maxLength; t++) {
                pp[b * maxLength + t] = (long) b * maxPhones;
            }
        }
        phones = Ops.longs(manager, ph, size, maxPhones);
        phoneMask = manager.create(phm).reshape(size, maxPhones);
        speakers = Ops.longs(manager, spk, size);
        prevKind = Ops.longs(manager, pk, size, maxLength);
        lastV = Ops.longs(manager, lv, size, maxLength);
        lastE = Ops.longs(manager, le, size, maxLength);
        lastW = Ops.longs(manager, lw, size, maxLength);
        phonePointer = Ops.longs(manager, pp, size, maxLength);
        posInPhone = Ops.longs(manager, pos, size, maxLength);
        outKind = Ops.longs(manager, ok, size, maxLength);
        outV = Ops.longs(manager, ov, size, maxLength);
        outE = Ops.longs(manager, oe, size, maxLength);
        outW = Ops.longs(manager, ow, size, maxLength);
        mask = manager.create(m).reshape(size, maxLength);
        frameMask = manager.create(fm).reshape(size, maxLength);
    }

    public static ArBatch of(NDManager manager, List<ArSequence> sequences) {
        if (sequences.isEmpty()) throw new IllegalArgumentException("empty batch");
        return new ArBatch(manager, sequences);
    }

    public int size() {
        return size;
    }

    /** Number of real (unpadded) tokens. */
    public long tokenCount() {
        return (long) mask.sum().toFloatArray()[0];
    }

    static NDArray asFloat(NDArray a) {
        return a.toType(DataType.FLOAT32, false);
    }
}
