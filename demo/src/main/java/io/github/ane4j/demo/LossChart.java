package io.github.ane4j.demo;

import java.util.List;
import java.util.Locale;

/**
 * The loss curves as an SVG image for a browser: training loss of every step, validation loss at its
 * intervals, and the loss of a uniform guess (ln V) for reference, on axes with ticks and labels, a title
 * and a legend.
 */
final class LossChart {
    private static final int WIDTH = 840, HEIGHT = 500;
    private static final int LEFT = 72, RIGHT = 24, TOP = 56, BOTTOM = 64;
    private static final String TRAINING_COLOUR = "#4c8bd6", VALIDATION_COLOUR = "#e4572e", UNIFORM_COLOUR = "#888888";

    private LossChart() {}

    /** The SVG document. {@code history} needs at least one point. */
    static String svg(LossHistory history, String title, String subtitle, double uniformLoss) {
        List<LossHistory.Point> training = history.training(), validation = history.validation();
        int maxStep = 1;
        double maxLoss = uniformLoss;
        for (List<LossHistory.Point> points : List.of(training, validation)) {
            for (LossHistory.Point p : points) {
                maxStep = Math.max(maxStep, p.step());
                if (Double.isFinite(p.loss())) maxLoss = Math.max(maxLoss, p.loss());
            }
        }
        double xStep = niceStep(maxStep / 8.0), yStep = niceStep(maxLoss / 6.0);
        double xMax = Math.ceil(maxStep / xStep) * xStep, yMax = Math.ceil(maxLoss / yStep) * yStep;
        Axes axes = new Axes(xMax, yMax);

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, """
                <svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">
                <rect width="100%%" height="100%%" fill="white"/>
                <text x="%d" y="24" font-size="17" font-weight="bold">%s</text>
                <text x="%d" y="43" fill="#555">%s</text>
                """, WIDTH, HEIGHT, WIDTH, HEIGHT, LEFT, escape(title), LEFT, escape(subtitle)));
        for (double y = 0; y <= yMax + yStep / 2; y += yStep) {
            double py = axes.y(y);
            s.append(line(LEFT, py, WIDTH - RIGHT, py, "#e5e5e5", 1, ""));
            s.append(text(LEFT - 8, py + 4, "end", format(y, yStep)));
        }
        for (double x = 0; x <= xMax + xStep / 2; x += xStep) {
            double px = axes.x(x);
            s.append(line(px, HEIGHT - BOTTOM, px, HEIGHT - BOTTOM + 5, "#333", 1, ""));
            s.append(text(px, HEIGHT - BOTTOM + 20, "middle", format(x, xStep)));
        }
        s.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "#333", 1, ""));
        s.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "#333", 1, ""));
        s.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 18, "middle", "optimizer step"));
        s.append(String.format(Locale.ROOT,
                "<text transform=\"translate(20 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2.0, "cross-entropy loss (nats per character)"));

        s.append(line(LEFT, axes.y(uniformLoss), WIDTH - RIGHT, axes.y(uniformLoss), UNIFORM_COLOUR, 1.5, "6 4"));
        s.append(polyline(training, axes, TRAINING_COLOUR, 1.2, 0.8));
        s.append(polyline(validation, axes, VALIDATION_COLOUR, 2.5, 1));
        for (LossHistory.Point p : validation) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n",
                    axes.x(p.step()), axes.y(p.loss()), VALIDATION_COLOUR));
        }

        double lx = WIDTH - RIGHT - 250, ly = TOP + 12;
        s.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"240\" height=\"74\" fill=\"white\" stroke=\"#ccc\"/>%n", lx, ly));
        legend(s, lx + 12, ly + 20, TRAINING_COLOUR, 1.5, "", "training loss (each step's batch)");
        legend(s, lx + 12, ly + 42, VALIDATION_COLOUR, 2.5, "", "validation loss (fixed windows)");
        legend(s, lx + 12, ly + 64, UNIFORM_COLOUR, 1.5, "6 4", String.format(Locale.ROOT, "uniform guess, ln V = %.2f", uniformLoss));
        return s.append("</svg>\n").toString();
    }

    /** Maps steps and losses to pixels. */
    private record Axes(double xMax, double yMax) {
        double x(double step) { return LEFT + step / xMax * (WIDTH - LEFT - RIGHT); }

        double y(double loss) { return HEIGHT - BOTTOM - loss / yMax * (HEIGHT - TOP - BOTTOM); }
    }

    private static void legend(StringBuilder s, double x, double y, String colour, double width, String dash, String label) {
        s.append(line(x, y - 4, x + 28, y - 4, colour, width, dash));
        s.append(text(x + 36, y, "start", label));
    }

    private static String polyline(List<LossHistory.Point> points, Axes axes, String colour, double width, double opacity) {
        StringBuilder p = new StringBuilder();
        for (LossHistory.Point point : points) {
            if (!Double.isFinite(point.loss())) continue;
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", axes.x(point.step()), axes.y(point.loss())));
        }
        return String.format(Locale.ROOT,
                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-opacity=\"%.2f\"/>%n",
                p.toString().trim(), colour, width, opacity);
    }

    private static String line(double x1, double y1, double x2, double y2, String colour, double width, String dash) {
        return String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n",
                x1, y1, x2, y2, colour, width, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"");
    }

    private static String text(double x, double y, String anchor, String content) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor, escape(content));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        if (!(rough > 0)) return 1;
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * power >= rough) return m * power;
        return 10 * power;
    }

    /** {@code value} with as many decimals as the tick step {@code step} needs. */
    private static String format(double value, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
