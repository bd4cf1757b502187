package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {
    @Test
    void helpListsEveryOptionWithItsDefaultAndExitsZero() {
        DemoRunner run = DemoRunner.run(List.of("--help"));
        assertEquals(0, run.code());
        for (String line : new String[] {"usage: ./run demo [options]", "--dim N", "[64]", "--steps N", "[1000]",
                "--backend auto|reference|ane", "[auto]", "--save FILE", "--resume FILE", "--compare-recompile",
                "--compare-packed", "--out DIR", "[demo/target/demo-out]", "--min-lr X", "[lr/10]"}) {
            assertTrue(run.out().contains(line), line + " missing in:\n" + run.out());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--frobnicate            | unknown option --frobnicate",
            "--dim                   | --dim needs a value (N)",
            "--dim x                 | --dim needs a whole number, got 'x'",
            "--dim 0                 | --dim must be positive, got 0",
            "--dim=-3                | --dim must be positive, got -3",
            "--lr abc                | --lr needs a number, got 'abc'",
            "--beta1 1               | --beta1 must be in [0.0, 1.0), got 1",
            "--heads 5               | --heads 5 must divide --dim 64",
            "--steps 10 --stop-at 11 | --stop-at 11 is beyond --steps 10",
            "--backend gpu           | --backend must be one of auto, reference, ane, got 'gpu'",
            "--classifier both       | --classifier must be one of tied, separate, got 'both'",
            "--help=yes              | --help takes no value",
            "steps                   | unexpected argument 'steps': options start with --",
            "--resume /nonexistent/x | no such file: /nonexistent/x",
    })
    void aBadCommandLineNamesTheProblem(String args, String message) {
        DemoRunner run = DemoRunner.run(List.of(args.trim().split(" +")));
        assertTrue(run.err().contains("demo: " + message), run.err());
        if (!args.startsWith("--resume")) {
            assertEquals(2, run.code());
            assertTrue(run.err().contains("usage: ./run demo [options]"), "the usage follows the message");
        } else {
            assertEquals(1, run.code(), "a missing checkpoint is a failure, not a usage error");
        }
        assertEquals("", run.out());
    }

    @Test
    void valuesCanFollowAnEqualsSign() {
        Options options = Options.parse(new String[] {"--dim=32", "--lr", "0.02", "--classifier=separate", "--schedule=constant"});
        assertEquals(32, options.dim);
        assertEquals(0.02, options.learningRate);
        assertEquals(0.002, options.training().minLearningRate(), 1e-15);
        assertEquals(false, options.tiedClassifier);
        assertEquals(false, options.cosine);
    }
}
