package io.github.ane4j.jmh;

import io.github.ane4j.Ane;
import io.github.ane4j.Backend;
import io.github.ane4j.DType;
import io.github.ane4j.Kernel;
import io.github.ane4j.kernels.TransformerKernels;
import io.github.ane4j.mil.MilBuilder.WeightLayout;
import io.github.ane4j.mil.MilProgram;
import io.github.ane4j.mil.TensorSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Markdown report of {@code ./run verify-ane}: the machine, the sections the script ran (hardware tests,
 * ANE-only benchmarks: their output and exit status), and the cross-check of every transformer training
 * kernel, in both weight layouts, on the ANE against the reference backend (same inputs; the largest
 * difference relative to the reference's largest output must stay within fp16 rounding of a few operations).
 * Without an ANE the cross-check runs each kernel on the reference backend alone (finite, not all zero).
 * Usage: {@code VerifyAne <report.md> [<title>=<exit status>=<output file>]…}; exits 1 when anything failed.
 */
public final class VerifyAne {
    /** Relative tolerance of the cross-check: fp16 keeps 11 bits, and a kernel chains tens of operations. */
    static final double TOLERANCE = 0.03;

    private VerifyAne() {}

    public static void main(String[] args) throws IOException {
        Path report = Path.of(args[0]);
        boolean failed = false;
        String backend;
        try (Ane ane = Ane.open()) {
            backend = ane.backendName();
        }
        StringBuilder md = new StringBuilder("# ane4j: verify-ane report\n\n");
        md.append("- Date: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append('\n');
        Machine.describe(backend).forEach(l -> md.append("- ").append(l).append('\n'));
        if (!backend.equals("ane")) {
            md.append("\n**No Apple Neural Engine here** (the default backend is ").append(backend)
                    .append("): the hardware tests and ANE-only benchmarks were not run; the cross-check ran each kernel on ")
                    .append("the reference backend alone.\n");
        }
        for (int i = 1; i < args.length; i++) {
            String[] part = args[i].split("=", 3);
            boolean ok = part[1].equals("0");
            failed |= !ok;
            String output = Files.exists(Path.of(part[2])) ? Files.readString(Path.of(part[2])) : "(no output)";
            md.append("\n## ").append(part[0]).append(": ").append(ok ? "passed" : "**FAILED** (exit status " + part[1] + ")")
                    .append("\n\n```\n").append(tail(output, 60)).append("\n```\n");
        }
        List<String> lines = new ArrayList<>();
        boolean crossOk = crossCheck(backend.equals("ane"), lines);
        failed |= !crossOk;
        md.append("\n## Cross-check of every transformer kernel: ").append(crossOk ? "passed" : "**FAILED**").append("\n\n")
                .append(backend.equals("ane") ? "| kernel | layout | max |ane − reference| / max |reference| | verdict |\n|---|---|---|---|\n"
                        : "| kernel | layout | outputs on the reference backend | verdict |\n|---|---|---|---|\n");
        lines.forEach(l -> md.append(l).append('\n'));
        Files.writeString(report, md);
        System.out.println(md);
        System.out.println("verify-ane: report written to " + report + (failed ? " (something FAILED)" : " (all passed)"));
        if (failed) System.exit(1);
    }

    /** Every kernel of the demo-sized family in both layouts; one table row each. */
    private static boolean crossCheck(boolean onAne, List<String> rows) {
        boolean ok = true;
        try (Ane reference = Ane.open(Backend.REFERENCE); Ane ane = onAne ? Ane.open(Backend.ANE) : null) {
            for (WeightLayout layout : WeightLayout.values()) {
                TransformerKernels family = new TransformerKernels(Transformer.DEMO, DType.FP16, layout);
                for (Map.Entry<String, MilProgram> e : family.all().entrySet()) {
                    String verdict;
                    String figure;
                    try {
                        float[][] expected = run(reference, e.getValue());
                        if (ane == null) {
                            boolean finite = true, nonZero = false;
                            for (float[] out : expected) for (float v : out) { finite &= Float.isFinite(v); nonZero |= v != 0; }
                            figure = expected.length + " finite" + (nonZero ? "" : ", all zero");
                            verdict = finite && nonZero ? "ok" : "**FAILED**";
                        } else {
                            float[][] got = run(ane, e.getValue());
                            double worst = 0;
                            for (int o = 0; o < got.length; o++) worst = Math.max(worst, Pipeline.relativeDifference(expected[o], got[o]));
                            figure = String.format(Locale.ROOT, "%.2e", worst);
                            verdict = worst <= TOLERANCE ? "ok" : "**FAILED** (tolerance " + TOLERANCE + ")";
                        }
                    } catch (RuntimeException ex) {
                        figure = ex.getClass().getSimpleName() + ": " + ex.getMessage().replace('\n', ' ').replace('|', '/');
                        verdict = "**FAILED**";
                    }
                    ok &= verdict.equals("ok");
                    rows.add("| " + e.getKey() + " | " + layout.name().toLowerCase(Locale.ROOT) + " | " + figure + " | " + verdict + " |");
                }
            }
        }
        return ok;
    }

    /** Every parameter and packed region written with the same reproducible values, one eval, every output. */
    private static float[][] run(Ane ane, MilProgram program) {
        try (Kernel k = ane.compile(program)) {
            SplittableRandom random = new SplittableRandom(7);
            List<String> names = new ArrayList<>();
            List<Long> counts = new ArrayList<>();
            if (program.packedRegions().isEmpty()) {
                for (TensorSpec p : program.parameters()) { names.add(p.name()); counts.add(p.elementCount()); }
            } else {
                program.packedRegions().forEach(r -> { names.add(r.name()); counts.add(r.elementCount()); });
                // parameters not packed (e.g. attention scores) are written by their own name
                for (TensorSpec p : program.parameters()) {
                    if (program.packedRegions().stream().noneMatch(r -> program.parameters().get(r.input()).name().equals(p.name()))) {
                        names.add(p.name());
                        counts.add(p.elementCount());
                    }
                }
            }
            for (int i = 0; i < names.size(); i++) {
                float[] v = new float[Math.toIntExact(counts.get(i))];
                for (int j = 0; j < v.length; j++) v[j] = (float) random.nextDouble(-0.5, 0.5);
                k.write(names.get(i), v);
            }
            k.eval();
            float[][] out = new float[k.outputCount()][];
            for (int o = 0; o < out.length; o++) out[o] = k.output(o).readFloats();
            return out;
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
