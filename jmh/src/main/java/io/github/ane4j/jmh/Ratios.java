package io.github.ane4j.jmh;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

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
 * JMH's JSON results (read with Gson) as each benchmark's score over its baseline's from the same run (same
 * class, same parameters), with the goal each comparison has. On a shared, noisy machine absolute times
 * drift between runs; such a ratio holds. Usage: {@code Ratios <jmh-result.json>} prints them.
 */
public final class Ratios {
    /** What a comparison should show. */
    sealed interface Goal {
        /** Text for the tables, e.g. "≤ 1.05". */
        String text();

        /** The largest ratio that meets the goal against this baseline, or NaN when there is no limit. */
        double ratioLimit(Score baseline);

        /** ratio ≤ limit. */
        record RatioAtMost(double limit, String text) implements Goal {
            public double ratioLimit(Score baseline) { return limit; }
        }

        /** score − baseline ≤ limit, in the benchmark's unit. */
        record DifferenceAtMost(double limit, String text) implements Goal {
            public double ratioLimit(Score baseline) { return (baseline.score() + limit) / baseline.score(); }
        }

        /** score ≤ limit, in the benchmark's unit (no baseline: the ratio is to the limit itself). */
        record ScoreAtMost(double limit, String text) implements Goal {
            public double ratioLimit(Score baseline) { return 1; }
        }

        /** Shown for information: no goal. */
        record None(String text) implements Goal {
            public double ratioLimit(Score baseline) { return Double.NaN; }
        }
    }

    /** {@code method} over {@code baseline} (both "Class.method"; baseline null for a {@link Goal.ScoreAtMost}). */
    record Comparison(String label, String method, String baseline, Goal goal) {}

    /** One benchmark's primary result. {@code error} is JMH's 99.9% confidence half-width, or NaN;
     *  {@code percentiles} JMH's, by percent ("50.0"), for sample-time benchmarks. */
    record Score(String method, Map<String, String> params, double score, double error, String unit, String mode,
                 Map<String, Double> percentiles) {
        Score(String method, Map<String, String> params, double score, double error, String unit) {
            this(method, params, score, error, unit, "avgt", Map.of());
        }
    }

    /** One comparison found in a result: its scores, the ratio and the ratio's error. */
    record Row(Comparison comparison, Score score, Score base, double ratio, double error) {
        /** Whether the point estimate meets the goal; null without one. */
        Boolean holds() {
            double limit = comparison.goal().ratioLimit(base);
            return Double.isNaN(limit) ? null : ratio <= limit;
        }

        /** "floats=4096" or "". */
        String params() {
            StringBuilder s = new StringBuilder();
            score.params().forEach((k, v) -> s.append(s.isEmpty() ? "" : " ").append(k).append('=').append(v));
            return s.toString();
        }
    }

    private static final double THROUGHPUT_95 = 1 / 0.95;

    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("Surface.write(float[]) / native write_input_f32", "FloatTransferBenchmark.write",
                    "FloatTransferBenchmark.nativeWrite", new Goal.RatioAtMost(1.05, "≤ 1.05")),
            new Comparison("Surface.read(float[]) / native read_output_f32", "FloatTransferBenchmark.read",
                    "FloatTransferBenchmark.nativeRead", new Goal.RatioAtMost(1.05, "≤ 1.05")),
            new Comparison("Surface.readFloats() / native read_output_f32", "FloatTransferBenchmark.readFloats",
                    "FloatTransferBenchmark.nativeRead", new Goal.RatioAtMost(1.05, "≤ 1.05")),
            new Comparison("map() + Fp16.toFp16 + close / native write_input_f32", "FloatTransferBenchmark.mapFill",
                    "FloatTransferBenchmark.nativeWrite", new Goal.None("Java conversion loop, for information")),
            new Comparison("Surface.write(short[]) / native memcpy", "RawWriteBenchmark.writeShorts",
                    "RawWriteBenchmark.nativeMemcpy", new Goal.RatioAtMost(THROUGHPUT_95, "≥ 0.95× throughput (≤ 1.053)")),
            new Comparison("Surface.write(MemorySegment) / native memcpy", "RawWriteBenchmark.writeSegment",
                    "RawWriteBenchmark.nativeMemcpy", new Goal.RatioAtMost(THROUGHPUT_95, "≥ 0.95× throughput (≤ 1.053)")),
            new Comparison("map() + MemorySegment.copy + close / native memcpy", "RawWriteBenchmark.mapCopy",
                    "RawWriteBenchmark.nativeMemcpy", new Goal.RatioAtMost(THROUGHPUT_95, "≥ 0.95× throughput (≤ 1.053)")),
            new Comparison("Surface.map() + close / 30 ns", "MapBenchmark.mapAndClose", null,
                    new Goal.ScoreAtMost(30, "≤ 30 ns")),
            new Comparison("Kernel.eval() / native ane_bridge_eval, tiny", "TinyEvalBenchmark.kernelEval",
                    "TinyEvalBenchmark.nativeEval", new Goal.DifferenceAtMost(10, "≤ native + 10 ns")),
            new Comparison("Kernel.eval() / native ane_bridge_eval, 768x768x64 matmul", "MatmulEvalBenchmark.kernelEval",
                    "MatmulEvalBenchmark.nativeEval", new Goal.None("expect 1.00")),
            new Comparison("chain of 4: copyOutputTo / aliasOutputAsInput", "ChainBenchmark.copyOutputTo",
                    "ChainBenchmark.aliasOutputAsInput", new Goal.None("what aliasing saves")),
            new Comparison("compile: real / cache hit", "CompileBenchmark.realCompile", "CompileBenchmark.cacheHit",
                    new Goal.None("what the cache saves")),
            new Comparison("Stories110M layer forward: packed / parameters", "StoriesLayerBenchmark.forwardPacked",
                    "StoriesLayerBenchmark.forwardParameters", new Goal.None("for information")),
            new Comparison("Stories110M layer weights (7.1M): Kernel.write / native write_weight_f32",
                    "StoriesLayerBenchmark.weightsParameters", "StoriesLayerBenchmark.weightsNative",
                    new Goal.RatioAtMost(1.05, "≤ 1.05")),
            new Comparison("Stories110M layer weights: packed / parameters", "StoriesLayerBenchmark.weightsPacked",
                    "StoriesLayerBenchmark.weightsParameters", new Goal.None("for information")),
            new Comparison("demo training step: packed / parameters", "TrainingStepBenchmark.stepPacked",
                    "TrainingStepBenchmark.stepParameters", new Goal.None("seed: 76.9 vs 110 ms/step on an M-series ANE")),
            new Comparison("ANE eval of the layer's FFN: realtime / plain", "AneLatencyBenchmark.evalRealtime",
                    "AneLatencyBenchmark.eval", new Goal.None("seed: p99 35.2 → 3.3 ms")));

    private Ratios() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Ratios <jmh-result.json>");
            System.exit(2);
        }
        print(scores(Files.readString(Path.of(args[0]))));
    }

    /** Prints one line per comparison found, or says there is none. */
    static void print(List<Score> scores) {
        List<Row> rows = rows(scores);
        if (rows.isEmpty()) System.out.println("no benchmark with its baseline in these results");
        rows.forEach(r -> System.out.println(line(r)));
    }

    /** The primary scores in JMH's JSON result format. */
    static List<Score> scores(String json) {
        List<Score> scores = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(json).getAsJsonArray()) {
            JsonObject run = element.getAsJsonObject();
            Map<String, String> params = new TreeMap<>();
            if (run.has("params")) run.getAsJsonObject("params").entrySet().forEach(e -> params.put(e.getKey(), e.getValue().getAsString()));
            JsonObject metric = run.getAsJsonObject("primaryMetric");
            Map<String, Double> percentiles = new TreeMap<>();
            if (metric.has("scorePercentiles")) {
                metric.getAsJsonObject("scorePercentiles").entrySet().forEach(e -> percentiles.put(e.getKey(), number(e.getValue())));
            }
            scores.add(new Score(shortName(run.get("benchmark").getAsString()), params, number(metric.get("score")),
                    number(metric.get("scoreError")), metric.get("scoreUnit").getAsString(), run.get("mode").getAsString(),
                    percentiles));
        }
        return scores;
    }

    /** Every comparison of {@link #COMPARISONS} found in {@code scores} with its baseline, in that order. */
    static List<Row> rows(List<Score> scores) {
        List<Row> rows = new ArrayList<>();
        for (Comparison c : COMPARISONS) {
            for (Score score : scores) {
                if (!score.method().equals(c.method())) continue;
                if (c.goal() instanceof Goal.ScoreAtMost(double limit, String text)) {
                    rows.add(row(c, score, new Score("limit", score.params(), limit, 0, score.unit())));
                    continue;
                }
                for (Score base : scores) {
                    if (base.method().equals(c.baseline()) && base.params().equals(score.params())) rows.add(row(c, score, base));
                }
            }
        }
        return rows;
    }

    /** The ratio's relative error combines the two relative errors in quadrature (independent measurements). */
    static Row row(Comparison c, Score score, Score base) {
        double ratio = score.score() / base.score();
        double error = ratio * Math.hypot(score.error() / score.score(), base.error() / base.score());
        return new Row(c, score, base, ratio, error);
    }

    /** Label, parameters, ratio ± its error, score − baseline = difference, and the goal's verdict. */
    static String line(Row r) {
        String what = (r.comparison().label() + " " + r.params()).strip();
        if (!r.score().unit().equals(r.base().unit())) {
            return String.format(Locale.ROOT, "%-78s units differ: %s vs %s", what, r.score().unit(), r.base().unit());
        }
        String plusMinus = Double.isNaN(r.error()) ? "       " : String.format(Locale.ROOT, " ± %.2f", r.error());
        Boolean holds = r.holds();
        String verdict = holds == null ? "" : (holds ? "   goal " : "   MISSES goal ") + r.comparison().goal().text();
        return String.format(Locale.ROOT, "%-78s %6.2f%s   (%.1f - %.1f = %+.1f %s)%s", what, r.ratio(), plusMinus,
                r.score().score(), r.base().score(), r.score().score() - r.base().score(), r.score().unit(), verdict);
    }

    /** "io.github.ane4j.jmh.TinyEvalBenchmark.kernelEval" -> "TinyEvalBenchmark.kernelEval". */
    private static String shortName(String benchmark) {
        Objects.requireNonNull(benchmark, "a result without \"benchmark\"");
        int method = benchmark.lastIndexOf('.');
        return benchmark.substring(benchmark.lastIndexOf('.', method - 1) + 1);
    }

    /** JMH writes a missing error as NaN, bare or quoted. */
    private static double number(JsonElement value) {
        return value.getAsJsonPrimitive().isString() ? Double.parseDouble(value.getAsString()) : value.getAsDouble();
    }
}
