package org.speechalign.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;

/**
 * Utterances shaped like the golden corpus, made from a seed: random phone strings with
 * durations, coarse tokens whose voicing and energy depend on the phone and whose pitch follows a
 * speaker-dependent contour, and fine codebooks that depend on phone and position. For tests and for
 * benchmarking before (or without) the real corpus.
 */
public final class SyntheticCorpus {

    public static final List<String> PHONES = List.of("pau", "aa", "ae", "b", "d", "eh", "f", "g", "hh", "iy", "k", "l", "m",
            "n", "ow", "p", "r", "s", "t", "uw", "v", "z");

    private SyntheticCorpus() {}

    public static List<Utterance> generate(int count, long seed, List<String> speakers, CoarseLayout layout, int fineCodebooks,
            int fineSize, int minPhones, int maxPhones) {
        Random r = new Random(seed);
        List<Utterance> out = new ArrayList<>();
        for (int u = 0; u < count; u++) {
            String speaker = speakers.get(u % speakers.size());
            int basePitch = (int) ((0.25 + 0.5 * speakers.indexOf(speaker) / Math.max(1.0, speakers.size() - 1)) * layout.pitchLevels());
            int n = minPhones + r.nextInt(maxPhones - minPhones + 1);
            List<Phone> phones = new ArrayList<>();
            List<int[]> frames = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String sym = (i == 0 || i == n - 1) ? "pau" : PHONES.get(1 + r.nextInt(PHONES.size() - 1));
                int id = PHONES.indexOf(sym);
                int dur = 2 + (id % 4) + r.nextInt(3);
                phones.add(new Phone(sym, dur));
                for (int j = 0; j < dur; j++) {
                    int[] f = new int[1 + fineCodebooks];
                    int voicing = sym.equals("pau") ? 0 : (id % 3 == 0 ? 1 : 3) % layout.voicingLevels();
                    int energy = sym.equals("pau") ? 0 : Math.min(layout.energyLevels() - 1, (id * 7) % layout.energyLevels() + j / 2);
                    int pitch = Math.floorMod(basePitch + (int) (4 * Math.sin((phones.size() + j) / 3.0)) + r.nextInt(2), layout.pitchLevels());
                    f[0] = layout.join(voicing, energy, pitch);
                    for (int q = 0; q < fineCodebooks; q++) {
                        f[1 + q] = Math.min(fineSize - 1, (id * 13 + q * fineSize / (fineCodebooks + 1) + j) % fineSize);
                    }
                    frames.add(f);
                }
            }
            int[][] tokens = new int[1 + fineCodebooks][frames.size()];
            for (int t = 0; t < frames.size(); t++) {
                for (int q = 0; q <= fineCodebooks; q++) tokens[q][t] = frames.get(t)[q];
            }
            out.add(new Utterance("syn-" + u, "synthetic " + u, speaker, phones, tokens, "synthetic", "0",
                    u % 10 == 9 ? Split.TEST : Split.TRAIN, "synthetic-" + seed));
        }
        return out;
    }
}
