package io.github.ane4j.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a benchmark report says about the machine it ran on. */
final class Machine {
    private Machine() {}

    /** CPU, the instruction sets that matter here, cores, OS, JDK, backend. */
    static List<String> describe(String backend) {
        List<String> lines = new ArrayList<>();
        lines.add("CPU: " + cpu() + ", " + Runtime.getRuntime().availableProcessors() + " logical cores");
        lines.add("Instruction sets: " + isa());
        lines.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        lines.add("JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        lines.add("ane4j backend: " + backend);
        return lines;
    }

    /** The 1, 5 and 15 minute load averages, or "unknown". */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            String out = command("sysctl", "-n", "vm.loadavg");
            return out.isEmpty() ? "unknown" : out.replace("{", "").replace("}", "").strip();
        }
    }

    private static String cpu() {
        for (String line : cpuinfo()) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        }
        String mac = command("sysctl", "-n", "machdep.cpu.brand_string");
        return mac.isEmpty() ? System.getProperty("os.arch") : mac;
    }

    /** The x86 vector extensions ane4j's native paths choose between, or NEON on arm64. */
    private static String isa() {
        for (String line : cpuinfo()) {
            if (!line.startsWith("flags") && !line.startsWith("Features")) continue;
            List<String> flags = List.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
            List<String> seen = new ArrayList<>();
            for (String f : List.of("avx2", "fma", "f16c", "avx512f", "avx512bw", "asimd", "fphp")) if (flags.contains(f)) seen.add(f);
            if (System.getProperty("os.arch").equals("amd64") && !flags.contains("avx512f")) seen.add("no AVX-512");
            return String.join(", ", seen);
        }
        return System.getProperty("os.arch").equals("aarch64") ? "NEON (arm64)" : "unknown";
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
