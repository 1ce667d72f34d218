package org.speechalign.corpus.importer;

import java.util.ArrayList;
import java.util.List;
import org.speechalign.corpus.Phone;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.TextNormalizer;
import org.speechalign.eval.WordErrorRate;

/**
 * Phone durations for speech without a synthesiser's alignment, from the ASR's word timings and
 * the phones of each word:
 * <ol>
 *   <li>the transcript's words are aligned to the recognised words (Levenshtein); a transcript word
 *       matched or substituted takes that word's start and end; runs of words the ASR missed share
 *       the time between their neighbours (taking from the neighbours when that gap is too short);</li>
 *   <li>the utterance's phones are {@code t2p} of the whole transcript (what synthesis will see);
 *       each is attributed to a word by aligning them with the concatenated phones of each word;</li>
 *   <li>inside a word, time is shared by phone weight (vowels 2, consonants 1); the pause
 *       {@code t2p} puts at the start takes the silence before the first word, the final one the
 *       rest; a pause inside the text takes the gap between its neighbouring words;</li>
 *   <li>phone end times become frame boundaries (rounded), so durations sum to the frame count.</li>
 * </ol>
 */
public final class PhoneAligner {
    private static final double MIN_PHONE_SECONDS = 0.03;

    private final Phonemizer phonemizer;

    public PhoneAligner(Phonemizer phonemizer) {
        this.phonemizer = phonemizer;
    }

    /** Thrown when the transcript and the speech cannot be aligned; the message is for the user. */
    public static final class AlignmentException extends Exception {
        public AlignmentException(String message) {
            super(message);
        }
    }

    public List<Phone> align(String transcript, List<SpeechRecognizer.Word> heard, double seconds, int frames,
                             double framesPerSecond) throws AlignmentException {
        List<String> words = TextNormalizer.words(transcript);
        if (words.isEmpty()) throw new AlignmentException("the transcript has no words");
        if (heard.isEmpty()) throw new AlignmentException("the ASR found no words in the audio");
        List<String> heardWords = heard.stream().map(w -> w.word().toLowerCase(java.util.Locale.ROOT)).toList();
        double[] start = new double[words.size()], end = new double[words.size()];
        boolean[] anchored = new boolean[words.size()];
        int matches = 0;
        for (WordErrorRate.Step s : WordErrorRate.align(words, heardWords)) {
            if (s.ref() >= 0 && s.hyp() >= 0) {
                anchored[s.ref()] = true;
                start[s.ref()] = heard.get(s.hyp()).start();
                end[s.ref()] = Math.min(heard.get(s.hyp()).end(), seconds);
                if (s.op() == WordErrorRate.Op.MATCH) matches++;
            }
        }
        if (matches * 3 < words.size()) {
            throw new AlignmentException("the transcript does not match the audio: the ASR heard \""
                    + String.join(" ", heardWords) + "\" (" + matches + " of " + words.size() + " words agree)");
        }
        List<List<String>> wordPhones = new ArrayList<>();
        for (String w : words) wordPhones.add(phonemizer.wordPhones(w));
        fillUnheard(words, wordPhones, anchored, start, end, seconds);

        // Attribute the whole text's phones to words.
        List<String> phones = phonemizer.phones(transcript);
        List<String> spoken = new ArrayList<>();
        List<Integer> spokenIndex = new ArrayList<>();
        for (int i = 0; i < phones.size(); i++) if (!phones.get(i).equals("pau")) { spoken.add(phones.get(i)); spokenIndex.add(i); }
        List<String> concat = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int w = 0; w < words.size(); w++) for (String p : wordPhones.get(w)) { concat.add(p); owner.add(w); }
        int[] wordOf = new int[phones.size()];
        java.util.Arrays.fill(wordOf, -1);
        int last = 0;
        for (WordErrorRate.Step s : WordErrorRate.align(spoken, concat)) {
            if (s.ref() < 0) continue;
            int w = s.hyp() >= 0 ? owner.get(s.hyp()) : last;
            wordOf[spokenIndex.get(s.ref())] = w;
            last = w;
        }
        // Phone end times.
        double[] endTime = new double[phones.size()];
        int i = 0;
        while (i < phones.size()) {
            if (phones.get(i).equals("pau")) {
                int prevWord = previousWord(wordOf, i), nextWord = nextWord(wordOf, i);
                double t = nextWord < 0 ? seconds : start[nextWord];
                if (prevWord >= 0 && nextWord < 0) t = seconds;
                endTime[i] = t;
                i++;
                continue;
            }
            int w = wordOf[i];
            int j = i;
            while (j < phones.size() && !phones.get(j).equals("pau") && wordOf[j] == w) j++;
            // phones i..j-1 belong to word w; a pause follows at j (or the next word starts)
            int nextWord = nextWord(wordOf, j);
            boolean pauseFollows = j < phones.size() && phones.get(j).equals("pau");
            double s0 = start[w];
            double e0 = pauseFollows || nextWord < 0 ? end[w] : Math.max(end[w], start[nextWord]);
            double total = 0;
            for (int k = i; k < j; k++) total += weight(phones.get(k));
            double acc = 0;
            for (int k = i; k < j; k++) {
                acc += weight(phones.get(k));
                endTime[k] = s0 + (e0 - s0) * acc / total;
            }
            i = j;
        }
        endTime[phones.size() - 1] = Math.max(endTime[phones.size() - 1], seconds);
        // Frame boundaries.
        List<Phone> out = new ArrayList<>();
        int prev = 0;
        for (int k = 0; k < phones.size(); k++) {
            int boundary = k == phones.size() - 1 ? frames
                    : (int) Math.max(prev, Math.min(frames, Math.round(endTime[k] * framesPerSecond)));
            out.add(new Phone(phones.get(k), boundary - prev));
            prev = boundary;
        }
        return out;
    }

    private static int previousWord(int[] wordOf, int i) {
        for (int k = i - 1; k >= 0; k--) if (wordOf[k] >= 0) return wordOf[k];
        return -1;
    }

    private static int nextWord(int[] wordOf, int i) {
        for (int k = i + 1; k < wordOf.length; k++) if (wordOf[k] >= 0) return wordOf[k];
        return -1;
    }

    private static double weight(String phone) {
        return Phonemizer.isVowel(phone) ? 2 : 1;
    }

    /** Gives words the ASR did not hear a time span between their anchored neighbours. */
    private static void fillUnheard(List<String> words, List<List<String>> wordPhones, boolean[] anchored,
                                    double[] start, double[] end, double seconds) {
        int n = words.size();
        int i = 0;
        while (i < n) {
            if (anchored[i]) { i++; continue; }
            int j = i;
            while (j < n && !anchored[j]) j++;
            // run i..j-1 unheard; neighbours i-1 and j (if any)
            int phones = 0;
            for (int k = i; k < j; k++) phones += Math.max(1, wordPhones.get(k).size());
            double lo = i > 0 ? end[i - 1] : 0, hi = j < n ? start[j] : seconds;
            double need = phones * MIN_PHONE_SECONDS;
            if (hi - lo < need) {
                // take time from the neighbours, proportionally
                double from = i > 0 ? start[i - 1] : 0, to = j < n ? end[j] : seconds;
                double leftPhones = i > 0 ? Math.max(1, wordPhones.get(i - 1).size()) : 0;
                double rightPhones = j < n ? Math.max(1, wordPhones.get(j).size()) : 0;
                double all = leftPhones + phones + rightPhones;
                lo = from + (to - from) * leftPhones / all;
                hi = to - (to - from) * rightPhones / all;
                if (i > 0) end[i - 1] = lo;
                if (j < n) start[j] = hi;
            }
            double acc = 0;
            for (int k = i; k < j; k++) {
                start[k] = lo + (hi - lo) * acc / phones;
                acc += Math.max(1, wordPhones.get(k).size());
                end[k] = lo + (hi - lo) * acc / phones;
                anchored[k] = true;
            }
            i = j;
        }
    }
}
