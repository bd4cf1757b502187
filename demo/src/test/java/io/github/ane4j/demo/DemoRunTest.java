package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        Matcher startup = Pattern.compile("compiles    (\\d+) at start-up").matcher(run.out());
        assertTrue(startup.find(), run.out());
        assertEquals(Integer.parseInt(startup.group(1)), outcome[2], "the compile count stays what it was at start-up");
        assertTrue(outcome[2] <= 13, "at most one compile per kernel kind: " + outcome[2]);

        assertTrue(Files.readString(out.resolve("loss.svg")).contains("<polyline"));
        for (String part : new String[] {"backend ", "time/step", "sample ", "chart "}) {
            assertTrue(run.out().contains(part), part + " missing in:\n" + run.out());
        }
    }

    /** The compiles column of the table row of {@code variant}. */
    private static int compiles(String table, String variant) {
        String row = table.lines().filter(l -> l.startsWith(variant)).findFirst().orElseThrow();
        String[] cells = row.trim().split(" +");
        return Integer.parseInt(cells[cells.length - 2]);
    }

    @Test
    void comparisonsTrainAgainAndPrintATableSideBySide() {
        DemoRunner run = DemoRunner.run(DemoRunner.TINY, "--steps", "3", "--compare-recompile", "--compare-packed",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        String table = run.out().substring(run.out().indexOf("variant "));
        for (String row : new String[] {"dynamic weights", "recompiled", "packed weights"}) {
            assertTrue(table.contains(row), row + " missing in:\n" + table);
        }
        assertTrue(compiles(table, "recompiled") > compiles(table, "dynamic weights"), "recompiling compiles more:\n" + table);
        assertTrue(run.out().contains("comparison  the same training again, weights baked in as BLOBFILE constants"));
    }
}
