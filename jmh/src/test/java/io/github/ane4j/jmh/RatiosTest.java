package io.github.ane4j.jmh;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                        "scorePercentiles" : { "50.0" : 1.5, "99.0" : 2.5 },
                        "scoreUnit" : "%s",
                        "rawData" : [ [ 1.0, 2.0 ] ]
                    },
                    "secondaryMetrics" : { }
                }""".formatted(method, params.isEmpty() ? "" : "\"params\" : { " + params + " },", score, error, unit);
    }

    static Ratios.Score score(String method, String floats, double score, double error) {
        return new Ratios.Score(method, floats == null ? Map.of() : Map.of("floats", floats), score, error, "ns/op");
    }

    @Test
    void readsScoresErrorsUnitsParametersAndPercentilesFromJmhJson() {
        String json = "[" + result("FloatTransferBenchmark.write", "\"floats\" : \"4096\"", "300.0", "30.0", "ns/op")
                + "," + result("TinyEvalBenchmark.nativeEval", "", "200.5", "NaN", "ns/op") + "]";
        List<Ratios.Score> scores = Ratios.scores(json);
        Map<String, Double> percentiles = Map.of("50.0", 1.5, "99.0", 2.5);
        assertEquals(List.of(
                new Ratios.Score("FloatTransferBenchmark.write", Map.of("floats", "4096"), 300.0, 30.0, "ns/op", "avgt", percentiles),
                new Ratios.Score("TinyEvalBenchmark.nativeEval", Map.of(), 200.5, Double.NaN, "ns/op", "avgt", percentiles)), scores);
    }

    @Test
    void eachBenchmarkIsDividedByItsBaselineWithTheSameParameters() {
        List<Ratios.Row> rows = Ratios.rows(List.of(
                score("FloatTransferBenchmark.write", "4096", 300, 30),
                score("FloatTransferBenchmark.write", "8192", 500, 0),
                score("FloatTransferBenchmark.nativeWrite", "8192", 1000, 0),
                score("FloatTransferBenchmark.nativeWrite", "4096", 200, 0),
                score("TinyEvalBenchmark.kernelEval", null, 250, Double.NaN)));
        // 300/200 = 1.5 with a relative error of 30/300 = 10%: ± 0.15; 500/1000 = 0.5 exactly. The tiny eval
        // has no baseline here: no row.
        assertEquals(2, rows.size());
        assertEquals(1.5, rows.get(0).ratio(), 1e-12);
        assertEquals(0.15, rows.get(0).error(), 1e-12);
        assertEquals("floats=4096", rows.get(0).params());
        assertEquals(0.5, rows.get(1).ratio(), 1e-12);
        assertFalse(rows.get(0).holds(), "1.5 misses <= 1.05");
        assertTrue(rows.get(1).holds());
    }

    @Test
    void errorsCombineInQuadratureAndAMissingErrorStaysMissing() {
        Ratios.Comparison c = new Ratios.Comparison("x", "A.a", "A.b", new Ratios.Goal.None("info"));
        // relative errors 3/10 and 4/10: sqrt(0.09 + 0.16) = 0.5 of the ratio 10/10.
        assertEquals(0.5, Ratios.row(c, score("A.a", null, 10, 3), score("A.b", null, 10, 4)).error(), 1e-12);
        assertTrue(Double.isNaN(Ratios.row(c, score("A.a", null, 20, Double.NaN), score("A.b", null, 10, 1)).error()));
        assertNull(Ratios.row(c, score("A.a", null, 20, 1), score("A.b", null, 10, 1)).holds(), "no goal, no verdict");
    }

    @Test
    void aDifferenceGoalBecomesARatioLimitOnItsBaseline() {
        Ratios.Row r = Ratios.rows(List.of(score("TinyEvalBenchmark.kernelEval", null, 215, 1),
                score("TinyEvalBenchmark.nativeEval", null, 200, 1))).getFirst();
        assertEquals(1.05, r.comparison().goal().ratioLimit(r.base()), 1e-12); // (200 + 10) / 200
        assertFalse(r.holds(), "+15 ns misses native + 10 ns");
    }

    @Test
    void anAbsoluteGoalIsComparedWithItsLimit() {
        Ratios.Row r = Ratios.rows(List.of(score("MapBenchmark.mapAndClose", null, 24, 2))).getFirst();
        assertEquals(0.8, r.ratio(), 1e-12);
        assertTrue(r.holds());
    }

    @Test
    void theChartDrawsABarAndAGoalMarkPerRow() {
        List<Ratios.Row> rows = Ratios.rows(List.of(score("MapBenchmark.mapAndClose", null, 24, 2),
                score("TinyEvalBenchmark.kernelEval", null, 214, 1), score("TinyEvalBenchmark.nativeEval", null, 200, 1)));
        String svg = Report.svg(rows);
        assertEquals(2, svg.split("stroke=\"red\"", -1).length - 1);
        assertTrue(svg.contains("Surface.map() + close / 30 ns"));
        assertTrue(svg.contains(">0.800<") && svg.contains(">1.07<"), svg);
    }
}
