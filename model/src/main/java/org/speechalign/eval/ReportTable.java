package org.speechalign.eval;

import java.util.List;
import java.util.Locale;

/** The human-readable form of evaluation reports. */
public final class ReportTable {
    private ReportTable() {}

    public static String format(List<EvalReport> reports, List<Comparison> comparisons) {
        StringBuilder sb = new StringBuilder();
        EvalReport first = reports.get(0);
        sb.append(String.format(Locale.ROOT, "Evaluation on the %s split of corpus %s (%s): %d utterances, %.0f s of audio%n",
                first.split(), first.corpusVersion(), first.codec(), first.utterances(), first.audioSeconds()));
        sb.append(String.format(Locale.ROOT, "%-16s %-24s %-24s %-24s%n", "system", "WER [95% CI]",
                "speaker sim. [95% CI]", "MCD dB [95% CI]"));
        for (EvalReport r : reports) {
            sb.append(String.format(Locale.ROOT, "%-16s %-24s %-24s %-24s%n", r.system(),
                    percent(r.wer()), plain(r.similarity(), 3), plain(r.mcdDb(), 2)));
        }
        for (Comparison c : comparisons) {
            sb.append(String.format(Locale.ROOT, "%-16s %-24s %-24s %-24s%n", c.a() + " − " + c.b(),
                    signedPercent(c.werDifference()), plain(c.similarityDifference(), 3), plain(c.mcdDifferenceDb(), 2)));
        }
        EvalReport.SpeakerModelInfo s = first.speakerModel();
        if (s != null) {
            sb.append(String.format(Locale.ROOT,
                    "Speaker similarity: %s, in [-1, 1]; trained on %d golden train utterances of %s;%n"
                            + "  on %d held-out %s utterances: speaker identified %.1f %% of the time, mean similarity %.3f to"
                            + " the own speaker, %.3f to others.%n",
                    s.method(), s.trainingUtterances(), String.join(", ", s.speakers()), s.heldOutUtterances(),
                    s.heldOutSplit(), 100 * s.heldOutIdentificationAccuracy(), s.heldOutSameSpeakerSimilarity(),
                    s.heldOutOtherSpeakerSimilarity()));
        }
        for (EvalReport r : reports) {
            if (!Double.isNaN(r.mcdCrossSpeakerDb())) {
                sb.append(String.format(Locale.ROOT, "MCD between golden utterances of the same text by two speakers (scale): %.2f dB%n",
                        r.mcdCrossSpeakerDb()));
            }
        }
        sb.append("MCD is against the golden tokens decoded again by the same codec: the golden row is the floor left by\n"
                + "  codec2's random phase synthesis (two decodes of the same tokens differ), not a model error.\n");
        for (EvalReport r : reports) {
            sb.append(String.format(Locale.ROOT, "%s: evaluated in %.0f s (%.2f× real time)%n", r.system(), r.evalSeconds(),
                    r.audioSeconds() == 0 ? 0 : r.evalSeconds() / r.audioSeconds()));
        }
        return sb.toString();
    }

    private static String percent(Bootstrap.Interval i) {
        return String.format(Locale.ROOT, "%.1f %% [%.1f, %.1f]", 100 * i.value(), 100 * i.low(), 100 * i.high());
    }

    private static String signedPercent(Bootstrap.Interval i) {
        return String.format(Locale.ROOT, "%+.1f pts [%+.1f, %+.1f]", 100 * i.value(), 100 * i.low(), 100 * i.high());
    }

    private static String plain(Bootstrap.Interval i, int digits) {
        String f = "%." + digits + "f";
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", i.value(), i.low(), i.high());
    }
}
