package io.github.ane4j.jmh;

import io.github.ane4j.Ane;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the JMH benchmarks (any JMH options), skipping those that need the Apple Neural Engine where there is
 * none, then prints every ratio to its baseline and, with {@code --report}, writes RESULTS.md and
 * results.svg. Usage: {@code Bench [--report DIR] [--native FILE] [--note TEXT]… [JMH options]}; the JSON
 * result goes to target/jmh-result.json.
 */
public final class Bench {
    /** Benchmark classes that measure the ANE itself. */
    static final List<String> ANE_ONLY = List.of("AneLatencyBenchmark");
    private static final Set<String> JMH_INFO = Set.of("-h", "-l", "-lp", "-lrf", "-lprof");

    private Bench() {}

    public static void main(String[] args) throws IOException, RunnerException, CommandLineOptionException {
        Path reportDir = null, nativeBench = null, result = Path.of("jmh/target/jmh-result.json");
        List<String> notes = new ArrayList<>(), jmh = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--report" -> reportDir = Path.of(args[++i]);
                case "--native" -> nativeBench = Path.of(args[++i]);
                case "--note" -> notes.add(args[++i]);
                case "--result" -> result = Path.of(args[++i]);
                default -> jmh.add(args[i]);
            }
        }
        if (jmh.stream().anyMatch(JMH_INFO::contains)) {
            org.openjdk.jmh.Main.main(jmh.toArray(String[]::new));
            return;
        }
        String backend;
        try (Ane ane = Ane.open()) {
            backend = ane.backendName();
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(new CommandLineOptions(jmh.toArray(String[]::new)))
                .resultFormat(ResultFormatType.JSON).result(result.toString());
        if (!backend.equals("ane")) {
            for (String b : ANE_ONLY) {
                options.exclude(b);
                notes.add(b + " skipped: it measures the Apple Neural Engine, and this machine runs the " + backend + " backend");
                System.out.println("== " + notes.getLast());
            }
        }
        String loadBefore = Machine.load();
        Files.deleteIfExists(result);
        try {
            new Runner(options.build()).run();
        } catch (RunnerException e) {
            if (!String.valueOf(e.getMessage()).contains("No matching benchmarks")) throw e;
            System.out.println("no benchmark to run here: " + e.getMessage());
            return;
        }
        List<Ratios.Score> scores = Ratios.scores(Files.readString(result));
        System.out.println("== ratios to the baselines of the same run (1.00 = as fast, above = slower; ± from JMH's 99.9% errors)");
        Ratios.print(scores);
        if (reportDir == null) return;
        List<String> machine = new ArrayList<>(Machine.describe(backend));
        machine.add("Load average (1, 5, 15 min) before the run: " + loadBefore + "; after: " + Machine.load());
        machine.add("Date: " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        machine.add("JMH options: " + (jmh.isEmpty() ? "(none: each class's own settings)" : String.join(" ", jmh)));
        List<Ratios.Row> rows = Ratios.rows(scores);
        String nativeOutput = nativeBench != null && Files.exists(nativeBench) ? Files.readString(nativeBench) : "";
        Files.createDirectories(reportDir);
        Files.writeString(reportDir.resolve("results.svg"), Report.svg(rows));
        Files.writeString(reportDir.resolve("RESULTS.md"), Report.markdown(rows, scores, machine, notes, nativeOutput, "results.svg"));
        System.out.println("== wrote " + reportDir.resolve("RESULTS.md") + " and " + reportDir.resolve("results.svg"));
    }
}
