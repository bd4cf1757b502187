package io.github.ane4j.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@link Demo#run} in this JVM and keeps what it printed. */
record DemoRunner(int code, String out, String err) {
    /** A small, fast model (seconds per run). */
    static final List<String> TINY = List.of("--dim", "16", "--hidden", "32", "--heads", "2", "--layers", "1", "--seq", "16",
            "--batch", "2", "--val-windows", "4", "--sample", "0");

    private static final Pattern LAST_LINE =
            Pattern.compile("demo: validation loss (\\d+\\.\\d{3}) -> (\\d+\\.\\d{3}), (\\d+) compiles, (\\d+\\.\\d) steps/s");

    static DemoRunner run(List<String> base, String... args) {
        List<String> all = new ArrayList<>(base);
        all.addAll(Arrays.asList(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Demo.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new DemoRunner(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The last line's numbers: validation loss at the start and the end, compiles, steps/s. */
    double[] outcome() {
        String[] lines = out.strip().split("\n");
        Matcher m = LAST_LINE.matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), "last line: " + lines[lines.length - 1] + "\nerr: " + err);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Integer.parseInt(m.group(3)),
                Double.parseDouble(m.group(4))};
    }
}
