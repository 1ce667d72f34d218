package org.speechalign.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.speechalign.corpus.Utterance;

/** The demo's HTML report: the iteration table, inline SVG plots and audio players (golden, base, final). */
final class DemoReport {

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};

    private DemoReport() {
    }

    static Path write(Path dir, List<DemoCommand.Row> rows, Map<Integer, List<double[]>> curves, List<Utterance> heldOut, String base,
                      String finalVersion, double seconds, int raters, int batchThreshold) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=en><meta charset=utf-8><title>SpeechAlign demo report</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;font-size:12px}")
                .append("th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}td.n{text-align:right}svg{background:#fafafa;margin:6px}")
                .append(".warn{background:#fff4e5;padding:8px;border-left:4px solid #f0a000}</style>");
        h.append("<h1>SpeechAlign demo</h1>");
        h.append(String.format(Locale.ROOT, "<p>%d iterations in %.0f s. Base version <code>%s</code>; serving at the end <code>%s</code>.</p>",
                rows.size() - 1, seconds, esc(base), esc(finalVersion))); // row 0 is the base
        h.append("<p class=warn><b>The ratings are simulated</b>: ").append(raters).append(" simulated raters score each self-play sample from its ")
                .append("phone-duration error against the golden utterance (d = mean |ln((synth+1)/(golden+1))| over phones; score = 5 − 4·min(1, d/0.8) ")
                .append("+ rater bias N(0,0.3) + noise N(0,0.6), rounded to 1..5). No person listened.")
                .append("</p><p>The self-play samples and the simulated ratings reached pref-builder through Kafka; pref-builder made the")
                .append(" preference pairs and closed each training batch at ").append(batchThreshold)
                .append(" unbatched pairs, the oldest first (pairs made from an iteration's ratings arrive after its batch closed, so they lead the")
                .append(" next one); trainer-worker trained each batch.")
                .append("</p><p>Every model (the base, then each iteration's DPO result, promoted or not) is measured by the evaluation harness")
                .append(" of <code>./speechalign eval</code> on the same held-out test utterances: WER (Vosk) with a 95 % bootstrap interval, speaker")
                .append(" similarity, MCD against golden speech, and the held-out accuracy of a classifier telling golden from synthetic coarse")
                .append(" sequences (50 % = no distribution gap).</p>");
        h.append("<h2>Iterations</h2><table><tr><th>iter</th><th>version</th><th>gate</th><th>pairs by source</th><th>DPO loss first→last</th>")
                .append("<th>reward acc.</th><th>gate Δ NLL/token [95% CI]</th><th>mean simulated rating</th><th>duration error</th><th>swap s</th>")
                .append("<th>WER [95% CI]</th><th>speaker sim.</th><th>MCD dB</th><th>gap classifier acc.</th><th>s</th></tr>");
        for (DemoCommand.Row r : rows) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s → %s</td><td class=n>%s</td>"
                            + "<td>%s [%s, %s]</td><td class=n>%s</td><td class=n>%s</td><td class=n>%s</td>"
                            + "<td>%.1f %% [%.1f, %.1f]</td><td class=n>%.3f</td><td class=n>%.2f</td><td class=n>%.1f %%</td><td class=n>%.0f</td></tr>",
                    r.iteration(), esc(r.version()), r.status(), esc(r.pairsBySource()), DemoCommand.f(r.firstLoss()), DemoCommand.f(r.lastLoss()),
                    DemoCommand.f(r.rewardAccuracy()), DemoCommand.f(r.gateMean()), DemoCommand.f(r.gateLow()), DemoCommand.f(r.gateHigh()),
                    DemoCommand.f(r.meanRating(), 2), DemoCommand.f(r.durationError(), 3),
                    r.swapSeconds() == null ? "—" : String.format(Locale.ROOT, "%.2f", r.swapSeconds()),
                    100 * r.measures().report().wer().value(), 100 * r.measures().report().wer().low(), 100 * r.measures().report().wer().high(),
                    r.measures().report().similarity().value(), r.measures().report().mcdDb().value(),
                    100 * r.measures().gap().heldOut().accuracy(), r.seconds()));
        }
        h.append("</table>");
        h.append("<h2>Plots</h2>");
        List<double[]> rating = new ArrayList<>();
        List<double[]> err = new ArrayList<>();
        List<double[]> wer = new ArrayList<>();
        List<double[]> gap = new ArrayList<>();
        for (DemoCommand.Row r : rows) {
            if (!Double.isNaN(r.meanRating())) rating.add(new double[] {r.iteration(), r.meanRating()});
            if (!Double.isNaN(r.durationError())) err.add(new double[] {r.iteration(), r.durationError()});
            wer.add(new double[] {r.iteration(), 100 * r.measures().report().wer().value()});
            gap.add(new double[] {r.iteration(), 100 * r.measures().gap().heldOut().accuracy()});
        }
        h.append(svg("held-out WER % per model (0 = base)", List.of(wer), List.of("WER %"), "iteration"));
        h.append(svg("golden-vs-synthetic classifier accuracy % (50 = no gap)", List.of(gap), List.of("accuracy %"), "iteration"));
        h.append(svg("mean simulated rating of the self-play samples per iteration", List.of(rating), List.of("rating"), "iteration"));
        h.append(svg("phone-duration error of the self-play samples per iteration", List.of(err), List.of("duration error"), "iteration"));
        List<List<double[]>> loss = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (var e : curves.entrySet()) {
            List<double[]> pts = new ArrayList<>();
            for (double[] p : e.getValue()) pts.add(new double[] {p[0], p[1]});
            loss.add(pts);
            names.add("iteration " + e.getKey());
        }
        h.append(svg("DPO loss per step", loss, names, "step"));
        h.append("<h2>Held-out sentences (never trained on)</h2><table><tr><th>utterance</th><th>text</th><th>golden (codec2 3200)</th>")
                .append("<th>base model</th><th>final model</th></tr>");
        for (Utterance u : heldOut) {
            String id = u.utteranceId();
            h.append("<tr><td>").append(esc(id)).append("</td><td>").append(esc(u.text())).append("</td>");
            for (String kind : new String[] {"golden", "base", "final"}) {
                h.append("<td><audio controls preload=none src=\"audio/").append(esc(id)).append('-').append(kind).append(".wav\"></audio></td>");
            }
            h.append("</tr>");
        }
        h.append("</table></html>\n");
        Path file = dir.resolve("index.html");
        Files.writeString(file, h.toString());
        return file;
    }

    static String svg(String title, List<List<double[]>> series, List<String> names, String xLabel) {
        int w = 640, hh = 260, l = 56, r = 130, t = 24, b = 36;
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (List<double[]> s : series) {
            for (double[] p : s) {
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg width=%d height=%d viewBox='0 0 %d %d'><text x=%d y=16 font-size=13>%s</text>", w, hh, w, hh, l, esc(title)));
        if (x0 == Double.MAX_VALUE) return sb.append("<text x=200 y=130>no data</text></svg>").toString();
        if (x1 == x0) { x0 -= 1; x1 += 1; }
        if (y1 == y0) { y0 -= 0.5; y1 += 0.5; }
        double pad = (y1 - y0) * 0.08;
        y0 -= pad;
        y1 += pad;
        for (int i = 0; i <= 4; i++) {
            double y = y0 + (y1 - y0) * i / 4;
            double py = hh - b - (y - y0) / (y1 - y0) * (hh - t - b);
            sb.append(String.format(Locale.ROOT, "<line x1=%d x2=%d y1=%.1f y2=%.1f stroke='#e5e5e5'/><text x=%d y=%.1f font-size=10 text-anchor=end>%.3f</text>",
                    l, w - r, py, py, l - 4, py + 3, y));
        }
        sb.append(String.format(Locale.ROOT, "<text x=%d y=%d font-size=11 text-anchor=middle>%s</text>", (l + w - r) / 2, hh - 6, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=%d y=%d font-size=10>%.0f</text><text x=%d y=%d font-size=10 text-anchor=end>%.0f</text>",
                l, hh - b + 14, x0, w - r, hh - b + 14, x1));
        for (int i = 0; i < series.size(); i++) {
            StringBuilder d = new StringBuilder();
            for (double[] p : series.get(i)) {
                double px = l + (p[0] - x0) / (x1 - x0) * (w - l - r);
                double py = hh - b - (p[1] - y0) / (y1 - y0) * (hh - t - b);
                d.append(d.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                if (series.get(i).size() <= 20) sb.append(String.format(Locale.ROOT, "<circle cx=%.1f cy=%.1f r=3 fill='%s'/>", px, py, COLORS[i % COLORS.length]));
            }
            sb.append(String.format("<path d='%s' fill=none stroke='%s' stroke-width=1.8/>", d, COLORS[i % COLORS.length]));
            sb.append(String.format(Locale.ROOT, "<rect x=%d y=%d width=10 height=10 fill='%s'/><text x=%d y=%d font-size=11>%s</text>",
                    w - r + 8, t + i * 16, COLORS[i % COLORS.length], w - r + 22, t + i * 16 + 9, esc(names.get(i))));
        }
        return sb.append("</svg>").toString();
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
