package org.speechalign.lm;

import java.util.Arrays;

/**
 * One utterance as the AR model reads and writes it: phone by phone, the coarse tokens of the
 * phone's frames, then an ADVANCE token. Step {@code t}'s inputs describe what was written before
 * it (previous token kind, fields of the last frame written, which phone is being spoken and how
 * many of its frames are already written); its targets are the token written at {@code t}.
 */
public final class ArSequence {

    /** Input token kinds. */
    static final int BOS = 0, FRAME = 1, ADVANCE = 2;
    /** Output kinds (the kind head). */
    static final int OUT_FRAME = 0, OUT_ADVANCE = 1;

    final int speaker;
    final int[] phones;
    final int length;
    final int[] prevKind, lastV, lastE, lastW, phoneIndex, posInPhone;
    final int[] outKind, outV, outE, outW;

    private ArSequence(int speaker, int[] phones, int length) {
        this.speaker = speaker;
        this.phones = phones;
        this.length = length;
        prevKind = new int[length];
        lastV = new int[length];
        lastE = new int[length];
        lastW = new int[length];
        phoneIndex = new int[length];
        posInPhone = new int[length];
        outKind = new int[length];
        outV = new int[length];
        outE = new int[length];
        outW = new int[length];
    }

    /**
     * The teacher-forced sequence of a golden (or synthesised) utterance.
     *
     * @param durations frames per phone; must sum to {@code coarse.length} (see {@link #fitDurations})
     */
    public static ArSequence of(LmConfig config, int speaker, int[] phones, int[] durations, int[] coarse) {
        if (phones.length != durations.length) throw new IllegalArgumentException("phones and durations differ in length");
        if (phones.length == 0) throw new IllegalArgumentException("utterance has no phones");
        int frames = Arrays.stream(durations).sum();
        if (frames != coarse.length) {
            throw new IllegalArgumentException("durations sum to " + frames + " frames but there are " + coarse.length + " coarse tokens");
        }
        CoarseLayout layout = config.coarse();
        ArSequence s = new ArSequence(speaker, phones.clone(), frames + phones.length);
        int t = 0, f = 0;
        int kind = BOS, v = layout.voicingLevels(), e = layout.energyLevels(), w = layout.pitchLevels();
        for (int i = 0; i < phones.length; i++) {
            for (int j = 0; j <= durations[i]; j++, t++) {
                s.prevKind[t] = kind;
                s.lastV[t] = v;
                s.lastE[t] = e;
                s.lastW[t] = w;
                s.phoneIndex[t] = i;
                s.posInPhone[t] = Math.min(j, config.maxPosInPhone() - 1);
                if (j < durations[i]) {
                    int token = coarse[f++];
                    s.outKind[t] = OUT_FRAME;
                    v = s.outV[t] = layout.voicing(token);
                    e = s.outE[t] = layout.energy(token);
                    w = s.outW[t] = layout.pitch(token);
                    kind = FRAME;
                } else {
                    s.outKind[t] = OUT_ADVANCE;
                    kind = ADVANCE;
                }
            }
        }
        return s;
    }

    /**
     * Makes phone durations add up to the frame count: the codec may emit a frame or two beyond the
     * last phone's end (extend the last phone) or the alignment may overshoot (trim from the end).
     */
    public static int[] fitDurations(int[] durations, int frames) {
        int[] d = durations.clone();
        int sum = Arrays.stream(d).sum();
        if (sum < frames) {
            d[d.length - 1] += frames - sum;
        }
        for (int i = d.length - 1; sum > frames && i >= 0; i--) {
            int cut = Math.min(d[i], sum - frames);
            d[i] -= cut;
            sum -= cut;
        }
        return d;
    }

    public int length() {
        return length;
    }

    public int phoneCount() {
        return phones.length;
    }
}
