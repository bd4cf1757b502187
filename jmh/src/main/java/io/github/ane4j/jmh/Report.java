package io.github.ane4j.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RESULTS.md and its SVG chart from the rows of one run: per benchmark class a table with both sides, the
 * ratio with its error and the goal's verdict; the machine; sample-time percentiles; the native benchmark's
 * output. The chart draws every ratio on a logarithmic axis with its error bar and the goal as a red mark.
 */
final class Report {
    private Report() {}

    /** The Markdown document. {@code machine} lines describe the run; {@code nativeBench} is the native
     *  benchmark's output (or empty); {@code chart} the SVG file's name beside it. */
    static String markdown(List<Ratios.Row> rows, List<Ratios.Score> scores, List<String> machine, List<String> notes,
                           String nativeBench, String chart) {
        StringBuilder md = new StringBuilder("# ane4j benchmark results\n\n");
        md.append("Written by `./run bench --report` (JMH results through `io.github.ane4j.jmh.Ratios`). Every figure is a\n"
                + "ratio to a baseline measured in the same run: 1.00 is as fast as the baseline, above is slower. ± is the\n"
                + "ratio's error from JMH's 99.9% confidence intervals of both scores; a verdict compares the point estimate\n"
                + "with the goal.\n\n");
        md.append("## Machine\n\n");
        machine.forEach(l -> md.append("- ").append(l).append('\n'));
        notes.forEach(l -> md.append("- ").append(l).append('\n'));
        md.append("\n![ratios and goals](").append(chart).append(")\n");
        Map<String, List<Ratios.Row>> byClass = new LinkedHashMap<>();
        for (Ratios.Row r : rows) byClass.computeIfAbsent(r.comparison().method().split("\\.")[0], k -> new ArrayList<>()).add(r);
        byClass.forEach((cls, list) -> {
            md.append("\n## ").append(cls).append("\n\n");
            md.append("| comparison | parameters | measured | baseline | ratio | goal | verdict |\n|---|---|---|---|---|---|---|\n");
            for (Ratios.Row r : list) {
                Boolean holds = r.holds();
                md.append("| ").append(r.comparison().label()).append(" | ").append(r.params().isEmpty() ? "–" : "`" + r.params() + "`")
                        .append(" | ").append(score(r.score())).append(" | ")
                        .append(r.comparison().baseline() == null ? "limit" : score(r.base())).append(" | ")
                        .append(Double.isNaN(r.error()) ? fmt(r.ratio()) : fmt(r.ratio()) + " ± " + fmt(r.error()))
                        .append(" | ").append(r.comparison().goal().text()).append(" | ")
                        .append(holds == null ? "–" : holds ? "holds" : "**misses**").append(" |\n");
            }
        });
        List<Ratios.Score> sampled = scores.stream().filter(s -> !s.percentiles().isEmpty()).toList();
        if (!sampled.isEmpty()) {
            md.append("\n## Latency percentiles (sample time)\n\n| benchmark | p50 | p99 | p99.9 | unit |\n|---|---|---|---|---|\n");
            for (Ratios.Score s : sampled) {
                md.append("| ").append(s.method()).append(" | ").append(fmt(s.percentiles().getOrDefault("50.0", Double.NaN)))
                        .append(" | ").append(fmt(s.percentiles().getOrDefault("99.0", Double.NaN))).append(" | ")
                        .append(fmt(s.percentiles().getOrDefault("99.9", Double.NaN))).append(" | ").append(s.unit()).append(" |\n");
            }
        }
        md.append("\n## All scores\n\n| benchmark | parameters | mode | score | unit |\n|---|---|---|---|---|\n");
        for (Ratios.Score s : scores) {
            md.append("| ").append(s.method()).append(" | ").append(s.params().isEmpty() ? "–" : s.params().toString())
                    .append(" | ").append(s.mode()).append(" | ").append(score(s)).append(" | ").append(s.unit()).append(" |\n");
        }
        if (!nativeBench.isBlank()) {
            md.append("\n## Native benchmark (`make -C native bench`)\n\n```\n").append(nativeBench.strip()).append("\n```\n");
        }
        return md.toString();
    }

    /** A horizontal bar per row: log2 axis from 1/4 to 16, 1.00 marked, the goal as a red tick. */
    static String svg(List<Ratios.Row> rows) {
        int labelWidth = 520, plotWidth = 420, rowHeight = 18, top = 40, width = labelWidth + plotWidth + 20;
        int height = top + rows.size() * rowHeight + 40;
        double min = -2, max = 4; // log2 of 1/4 and 16
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", width, height));
        s.append("<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">ane4j: each benchmark over its baseline "
                + "(log scale; bar = ratio, whisker = ± error, red = goal)</text>\n");
        for (int tick = (int) min; tick <= max; tick++) {
            double x = labelWidth + (tick - min) / (max - min) * plotWidth;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n", x, top - 6, x,
                    top + rows.size() * rowHeight, tick == 0 ? "black" : "#ddd"));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
                    top + rows.size() * rowHeight + 14, tick < 0 ? "1/" + (1 << -tick) : String.valueOf(1 << tick)));
        }
        double origin = labelWidth + (0 - min) / (max - min) * plotWidth;
        for (int i = 0; i < rows.size(); i++) {
            Ratios.Row r = rows.get(i);
            int y = top + i * rowHeight;
            Boolean holds = r.holds();
            String colour = holds == null ? "#8aa" : holds ? "#4a8" : "#e94";
            String label = (r.comparison().label() + " " + r.params()).strip();
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", labelWidth - 6, y + 12, escape(label)));
            double x = position(r.ratio(), min, max, labelWidth, plotWidth);
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                    Math.min(x, origin), y + 3, Math.abs(x - origin), rowHeight - 6, colour));
            if (!Double.isNaN(r.error())) {
                double lo = position(r.ratio() - r.error(), min, max, labelWidth, plotWidth);
                double hi = position(r.ratio() + r.error(), min, max, labelWidth, plotWidth);
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", lo, y + 9, hi, y + 9));
            }
            double limit = r.comparison().goal().ratioLimit(r.base());
            if (!Double.isNaN(limit)) {
                double g = position(limit, min, max, labelWidth, plotWidth);
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"red\" stroke-width=\"2\"/>\n",
                        g, y + 1, g, y + rowHeight - 1));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", Math.max(x, origin) + 4, y + 12, fmt(r.ratio())));
        }
        return s.append("</svg>\n").toString();
    }

    private static double position(double ratio, double min, double max, int left, int width) {
        double l = Math.log(Math.max(ratio, 1e-9)) / Math.log(2);
        return left + (Math.min(Math.max(l, min), max) - min) / (max - min) * width;
    }

    private static String score(Ratios.Score s) {
        return Double.isNaN(s.error()) ? fmt(s.score()) + " " + s.unit() : fmt(s.score()) + " ± " + fmt(s.error()) + " " + s.unit();
    }

    /** Three significant digits at least, no exponent. */
    static String fmt(double v) {
        if (Double.isNaN(v)) return "–";
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
