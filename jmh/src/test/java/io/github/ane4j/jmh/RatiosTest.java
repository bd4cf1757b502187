package io.github.ane4j.jmh;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RatiosTest {
    /** One entry of a JMH JSON result, with the fields Ratios reads and a few it ignores. */
    private static String result(String method, String params, String score, String error, String unit) {
        return """
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "io.github.ane4j.jmh.%s",
                    "mode" : "avgt",
                    %s
                    "primaryMetric" : {
                        "score" : %s,
                        "scoreError" : %s,
                        "scoreConfidence" : [ 0.0, 1.0 ],
                        "scoreUnit" : "%s",
                        "rawData" : [ [ 1.0, 2.0 ] ]
                    },
                    "secondaryMetrics" : { }
                }""".formatted(method, params.isEmpty() ? "" : "\"params\" : { " + params + " },", score, error, unit);
    }

    @Test
    void readsScoresErrorsUnitsAndParametersFromJmhJson() {
        String json = "[" + result("SurfaceWriteBenchmark.surfaceWrite", "\"floats\" : \"4096\"", "300.0", "30.0", "ns/op")
                + "," + result("TinyEvalBenchmark.nativeEval", "", "200.5", "\"NaN\"", "ns/op") + "]";
        List<Ratios.Score> scores = Ratios.scores(json);
        assertEquals(List.of(
                new Ratios.Score("SurfaceWriteBenchmark.surfaceWrite", Map.of("floats", "4096"), 300.0, 30.0, "ns/op"),
                new Ratios.Score("TinyEvalBenchmark.nativeEval", Map.of(), 200.5, Double.NaN, "ns/op")), scores);
    }

    @Test
    void eachBenchmarkIsDividedByItsBaselineWithTheSameParameters() {
        List<Ratios.Score> scores = List.of(
                new Ratios.Score("SurfaceWriteBenchmark.surfaceWrite", Map.of("floats", "4096"), 300, 30, "ns/op"),
                new Ratios.Score("SurfaceWriteBenchmark.surfaceWrite", Map.of("floats", "8192"), 500, 0, "ns/op"),
                new Ratios.Score("SurfaceWriteBenchmark.nativeWriteInputF32", Map.of("floats", "8192"), 1000, 0, "ns/op"),
                new Ratios.Score("SurfaceWriteBenchmark.nativeWriteInputF32", Map.of("floats", "4096"), 200, 0, "ns/op"),
                new Ratios.Score("TinyEvalBenchmark.kernelEval", Map.of(), 250, Double.NaN, "ns/op"));
        // 300/200 = 1.5 with a relative error of 30/300 = 10%: ± 0.15; 500/1000 = 0.5 exactly. The tiny eval
        // has no baseline here, and the map fill no result: no line for either.
        assertEquals(List.of(
                String.format("%-72s %s", "Surface.write(float[]) / native write_input_f32 floats=4096",
                        "  1.50 ± 0.15   (300.0 - 200.0 = +100.0 ns/op)"),
                String.format("%-72s %s", "Surface.write(float[]) / native write_input_f32 floats=8192",
                        "  0.50 ± 0.00   (500.0 - 1000.0 = -500.0 ns/op)")), Ratios.lines(scores));
    }

    @Test
    void errorsCombineInQuadratureAndAMissingErrorIsLeftOut() {
        Ratios.Comparison c = new Ratios.Comparison("x", "A.a", "A.b");
        // relative errors 3/10 and 4/10: sqrt(0.09 + 0.16) = 0.5 of the ratio 10/10.
        assertEquals(String.format("%-72s %s", "x", "  1.00 ± 0.50   (10.0 - 10.0 = +0.0 us/op)"),
                Ratios.line(c, new Ratios.Score("A.a", Map.of(), 10, 3, "us/op"), new Ratios.Score("A.b", Map.of(), 10, 4, "us/op")));
        assertEquals(String.format("%-72s %s", "x", "  2.00          (20.0 - 10.0 = +10.0 us/op)"),
                Ratios.line(c, new Ratios.Score("A.a", Map.of(), 20, Double.NaN, "us/op"), new Ratios.Score("A.b", Map.of(), 10, 1, "us/op")));
        assertEquals(String.format("%-72s %s", "x", "units differ: ns/op vs us/op"),
                Ratios.line(c, new Ratios.Score("A.a", Map.of(), 20, 1, "ns/op"), new Ratios.Score("A.b", Map.of(), 10, 1, "us/op")));
    }
}
