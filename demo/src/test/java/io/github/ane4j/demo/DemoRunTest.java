package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shortened demo: the same code path as {@code ./run demo}, on a smaller model for fewer steps. */
class DemoRunTest {
    @TempDir
    Path out;

    @Test
    void validationLossFallsWellBelowItsStartAndTheUniformGuess() throws Exception {
        DemoRunner run = DemoRunner.run(List.of("--dim", "32", "--hidden", "64", "--heads", "2", "--layers", "1",
                "--seq", "32", "--batch", "4", "--steps", "200", "--lr", "0.01", "--val-windows", "8",
                "--sample", "40", "--out", out.toString()));
        assertEquals(0, run.code(), run.err());
        double[] outcome = run.outcome();
        double start = outcome[0], end = outcome[1], uniform = Math.log(Corpus.load().vocabSize());
        assertTrue(end < start - 1.5, "validation loss " + start + " -> " + end);
        assertTrue(end < uniform - 1.0, "validation loss " + end + " vs uniform guess " + uniform);
        assertEquals(0, outcome[2], "compiles: the pure-Java kernels compile nothing");

        assertTrue(Files.readString(out.resolve("loss.svg")).contains("<polyline"));
        for (String part : new String[] {"backend ", "compiles    0 at start-up", "time/step", "sample ", "chart "}) {
            assertTrue(run.out().contains(part), part + " missing in:\n" + run.out());
        }
    }

    @Test
    void comparisonsTrainAgainAndPrintATableSideBySide() {
        DemoRunner run = DemoRunner.run(DemoRunner.TINY, "--steps", "3", "--compare-recompile", "--compare-packed",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        String table = run.out().substring(run.out().indexOf("variant "));
        for (String row : new String[] {"dynamic weights", "recompiled", "packed weights",
                "every variant ran the pure-Java implementation"}) {
            assertTrue(table.contains(row), row + " missing in:\n" + table);
        }
        assertTrue(run.out().contains("comparison  the same training again, weights baked in as BLOBFILE constants"));
    }
}
