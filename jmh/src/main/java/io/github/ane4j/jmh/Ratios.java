package io.github.ane4j.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads a JMH JSON result file and prints each benchmark's score over its baseline's from the same run
 * (same class, same parameters). On a shared, noisy machine absolute times drift between runs; such a
 * ratio holds. Usage: {@code Ratios <jmh-result.json>}.
 */
public final class Ratios {
    /** {@code method} over {@code baseline}: both "Class.method" names of the same benchmark class. */
    record Comparison(String label, String method, String baseline) {}

    /** One benchmark's primary result. {@code error} is JMH's 99.9% confidence half-width, or NaN. */
    record Score(String method, Map<String, String> params, double score, double error, String unit) {}

    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("Surface.write(float[]) / native write_input_f32",
                    "SurfaceWriteBenchmark.surfaceWrite", "SurfaceWriteBenchmark.nativeWriteInputF32"),
            new Comparison("Surface.map() fill / Surface.write(float[])",
                    "SurfaceWriteBenchmark.mapFill", "SurfaceWriteBenchmark.surfaceWrite"),
            new Comparison("Kernel.eval() / native ane_bridge_eval, tiny",
                    "TinyEvalBenchmark.kernelEval", "TinyEvalBenchmark.nativeEval"),
            new Comparison("Kernel.eval() / native ane_bridge_eval, 768x768x64 matmul",
                    "MatmulEvalBenchmark.kernelEval", "MatmulEvalBenchmark.nativeEval"));

    private Ratios() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Ratios <jmh-result.json>");
            System.exit(2);
        }
        List<String> lines = lines(scores(Files.readString(Path.of(args[0]))));
        if (lines.isEmpty()) System.out.println("no benchmark with its baseline in " + args[0]);
        lines.forEach(System.out::println);
    }

    /** The primary scores in JMH's JSON result format. */
    static List<Score> scores(String json) {
        List<Score> scores = new ArrayList<>();
        for (Object element : (List<?>) Json.parse(json)) {
            Map<?, ?> run = (Map<?, ?>) element;
            String benchmark = (String) run.get("benchmark");
            Map<String, String> params = new TreeMap<>();
            if (run.get("params") instanceof Map<?, ?> p) p.forEach((k, v) -> params.put((String) k, (String) v));
            Map<?, ?> metric = (Map<?, ?>) run.get("primaryMetric");
            scores.add(new Score(shortName(benchmark), params, number(metric.get("score")),
                    number(metric.get("scoreError")), (String) metric.get("scoreUnit")));
        }
        return scores;
    }

    /** One line per benchmark of {@link #COMPARISONS} found with its baseline, in that order. */
    static List<String> lines(List<Score> scores) {
        List<String> lines = new ArrayList<>();
        for (Comparison c : COMPARISONS) {
            for (Score score : scores) {
                if (!score.method().equals(c.method())) continue;
                for (Score base : scores) {
                    if (base.method().equals(c.baseline()) && base.params().equals(score.params())) {
                        lines.add(line(c, score, base));
                    }
                }
            }
        }
        return lines;
    }

    /** Label, parameters, ratio ± its error, then score - baseline = difference. The ratio's relative
     *  error combines the two relative errors in quadrature (independent measurements). */
    static String line(Comparison c, Score score, Score base) {
        StringBuilder what = new StringBuilder(c.label());
        score.params().forEach((name, value) -> what.append(' ').append(name).append('=').append(value));
        if (!score.unit().equals(base.unit())) {
            return String.format(Locale.ROOT, "%-72s units differ: %s vs %s", what, score.unit(), base.unit());
        }
        double ratio = score.score() / base.score();
        double error = ratio * Math.hypot(score.error() / score.score(), base.error() / base.score());
        String plusMinus = Double.isNaN(error) ? "       " : String.format(Locale.ROOT, " ± %.2f", error);
        return String.format(Locale.ROOT, "%-72s %6.2f%s   (%.1f - %.1f = %+.1f %s)",
                what, ratio, plusMinus, score.score(), base.score(), score.score() - base.score(), score.unit());
    }

    /** "io.github.ane4j.jmh.TinyEvalBenchmark.kernelEval" -> "TinyEvalBenchmark.kernelEval". */
    private static String shortName(String benchmark) {
        Objects.requireNonNull(benchmark, "a result without \"benchmark\"");
        int method = benchmark.lastIndexOf('.');
        return benchmark.substring(benchmark.lastIndexOf('.', method - 1) + 1);
    }

    /** JMH writes a missing error as NaN, bare or quoted. */
    private static double number(Object value) {
        return value instanceof String s ? Double.parseDouble(s) : ((Double) value);
    }
}
