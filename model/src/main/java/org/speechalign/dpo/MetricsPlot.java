package org.speechalign.dpo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A dependency-free SVG of DPO metrics over steps: one panel per metric, the iterations one after
 * another on the x axis (dashed lines mark iteration boundaries).
 */
public final class MetricsPlot {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private MetricsPlot() {}

    /**
     * @param iterations per iteration, the step metrics in order
     * @param panels per panel, the metric names drawn in it
     */
    public static void write(Path svg, List<List<Map<String, Float>>> iterations, List<List<String>> panels) throws IOException {
        int w = 720, ph = 150, top = 30, gap = 40, left = 60, right = 20;
        int total = iterations.stream().mapToInt(List::size).sum();
        StringBuilder sb = new StringBuilder();
        int h = top + panels.size() * (ph + gap);
        sb.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>%n", w, h));
        sb.append("<rect width='100%' height='100%' fill='white'/>\n");
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='18' font-size='13'>DPO metrics over steps (%d iterations)</text>%n", left, iterations.size()));
        for (int p = 0; p < panels.size(); p++) {
            int y0 = top + p * (ph + gap);
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (var it : iterations) {
                for (var m : it) {
                    for (String name : panels.get(p)) {
                        Float v = m.get(name);
                        if (v != null && Float.isFinite(v)) {
                            lo = Math.min(lo, v);
                            hi = Math.max(hi, v);
                        }
                    }
                }
            }
            if (!(hi >= lo)) continue;
            if (hi == lo) {
                hi += 0.5;
                lo -= 0.5;
            }
            double plotW = w - left - right;
            sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%.0f' height='%d' fill='none' stroke='#999'/>%n", left, y0, plotW, ph));
            sb.append(String.format(Locale.ROOT, "<text x='4' y='%d'>%.3g</text><text x='4' y='%d'>%.3g</text>%n", y0 + 10, hi, y0 + ph, lo));
            int offset = 0;
            for (var it : iterations) {
                if (offset > 0) {
                    double x = left + plotW * offset / Math.max(1, total - 1);
                    sb.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#bbb' stroke-dasharray='4,3'/>%n", x, y0, x, y0 + ph));
                }
                offset += it.size();
            }
            for (int n = 0; n < panels.get(p).size(); n++) {
                String name = panels.get(p).get(n);
                StringBuilder pts = new StringBuilder();
                int step = 0;
                for (var it : iterations) {
                    for (var m : it) {
                        Float v = m.get(name);
                        if (v != null && Float.isFinite(v)) {
                            double x = left + plotW * step / Math.max(1, total - 1);
                            double y = y0 + ph - ph * (v - lo) / (hi - lo);
                            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                        }
                        step++;
                    }
                }
                String color = COLORS[n % COLORS.length];
                sb.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='1.2' points='%s'/>%n", color, pts.toString().trim()));
                sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s'>%s</text>%n", left + 5 + 150 * n, y0 - 4, color, name));
            }
        }
        sb.append("</svg>\n");
        Files.writeString(svg, sb, StandardCharsets.UTF_8);
    }
}
