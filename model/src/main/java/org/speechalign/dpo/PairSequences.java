package org.speechalign.dpo;

import java.util.ArrayList;
import java.util.List;
import org.speechalign.lm.ArSequence;
import org.speechalign.lm.Examples;
import org.speechalign.lm.LmConfig;

/** The AR model's teacher-forced sequences of the pairs' chosen and rejected sides, built once per run. */
public final class PairSequences {

    final List<ArSequence> chosen = new ArrayList<>();
    final List<ArSequence> rejected = new ArrayList<>();

    public PairSequences(LmConfig c, List<PreferencePair> pairs) {
        if (pairs.isEmpty()) throw new IllegalArgumentException("no preference pairs");
        for (PreferencePair p : pairs) {
            List<String> phones = p.phoneSymbols();
            chosen.add(Examples.ar(c, p.speaker(), phones, p.chosen().durations(), p.chosen().coarse()));
            rejected.add(Examples.ar(c, p.speaker(), phones, p.rejected().durations(), p.rejected().coarse()));
        }
    }

    public int size() {
        return chosen.size();
    }

    /** Padded length of each pair in a batch: the longer of its two sequences. */
    int[] lengths() {
        int[] n = new int[size()];
        for (int i = 0; i < n.length; i++) n[i] = Math.max(chosen.get(i).length(), rejected.get(i).length());
        return n;
    }

    /** Chosen sequences of {@code idx} then rejected ones: one batch, one forward pass (as TRL concatenates). */
    List<ArSequence> concatenated(int[] idx) {
        List<ArSequence> out = new ArrayList<>(2 * idx.length);
        for (int i : idx) out.add(chosen.get(i));
        for (int i : idx) out.add(rejected.get(i));
        return out;
    }

    float[] chosenTokens(int[] idx) {
        float[] n = new float[idx.length];
        for (int j = 0; j < idx.length; j++) n[j] = chosen.get(idx[j]).length();
        return n;
    }

    float[] rejectedTokens(int[] idx) {
        float[] n = new float[idx.length];
        for (int j = 0; j < idx.length; j++) n[j] = rejected.get(idx[j]).length();
        return n;
    }

    long tokens(int[] idx) {
        long n = 0;
        for (int i : idx) n += chosen.get(i).length() + rejected.get(i).length();
        return n;
    }
}
