package org.speechalign.eval;

import java.util.ArrayList;
import java.util.List;

/** Word-level Levenshtein alignment of a hypothesis against a reference, on normalised words. */
public final class WordErrorRate {

    /** One step of an alignment: reference index / hypothesis index, -1 where absent. */
    public record Step(Op op, int ref, int hyp) {}

    public enum Op { MATCH, SUBSTITUTION, DELETION, INSERTION }

    /** Error counts of one utterance; {@code rate()} is errors / reference words. */
    public record Counts(int substitutions, int deletions, int insertions, int referenceWords) {
        public int errors() {
            return substitutions + deletions + insertions;
        }

        /** Errors per reference word; an empty reference scores 0 if the hypothesis is empty too, else 1. */
        public double rate() {
            if (referenceWords == 0) return errors() == 0 ? 0 : 1;
            return (double) errors() / referenceWords;
        }
    }

    private WordErrorRate() {}

    /** Counts errors of {@code hypothesis} against {@code reference}, both normalised first. */
    public static Counts score(String reference, String hypothesis) {
        return count(TextNormalizer.words(reference), TextNormalizer.words(hypothesis));
    }

    public static Counts count(List<String> ref, List<String> hyp) {
        int s = 0, d = 0, i = 0;
        for (Step st : align(ref, hyp)) {
            switch (st.op()) {
                case SUBSTITUTION -> s++;
                case DELETION -> d++;
                case INSERTION -> i++;
                default -> { }
            }
        }
        return new Counts(s, d, i, ref.size());
    }

    /** A minimum-edit alignment (unit costs; ties prefer match/substitution, then deletion). */
    public static <T> List<Step> align(List<T> ref, List<T> hyp) {
        int n = ref.size(), m = hyp.size();
        int[][] cost = new int[n + 1][m + 1];
        for (int a = 0; a <= n; a++) cost[a][0] = a;
        for (int b = 0; b <= m; b++) cost[0][b] = b;
        for (int a = 1; a <= n; a++) {
            for (int b = 1; b <= m; b++) {
                int diag = cost[a - 1][b - 1] + (ref.get(a - 1).equals(hyp.get(b - 1)) ? 0 : 1);
                cost[a][b] = Math.min(diag, Math.min(cost[a - 1][b] + 1, cost[a][b - 1] + 1));
            }
        }
        List<Step> steps = new ArrayList<>();
        int a = n, b = m;
        while (a > 0 || b > 0) {
            if (a > 0 && b > 0) {
                boolean same = ref.get(a - 1).equals(hyp.get(b - 1));
                if (cost[a][b] == cost[a - 1][b - 1] + (same ? 0 : 1)) {
                    steps.add(new Step(same ? Op.MATCH : Op.SUBSTITUTION, a - 1, b - 1));
                    a--; b--;
                    continue;
                }
            }
            if (a > 0 && cost[a][b] == cost[a - 1][b] + 1) {
                steps.add(new Step(Op.DELETION, a - 1, -1));
                a--;
            } else {
                steps.add(new Step(Op.INSERTION, -1, b - 1));
                b--;
            }
        }
        java.util.Collections.reverse(steps);
        return steps;
    }
}
