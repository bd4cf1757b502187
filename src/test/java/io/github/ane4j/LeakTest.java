package io.github.ane4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Linker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Native memory and RSS stay flat over 10,000 compile/eval/close cycles and 100,000 view open/close cycles
 * ({@link LeakProbe}, in a child JVM whose Java heap is fixed and pre-touched and which JIT-compiles with C1
 * only). A leak grows the native heap in every fifth of the cycles; the JVM's own allocations come in
 * steps. So the median of the five windows must stay under 100 KB (a leak of 50 bytes per compile or 5
 * bytes per view would pass it), and the totals under generous bounds (measured: about 0.1 MB each, with
 * an occasional 1 MB step).
 */
class LeakTest {
    private static final long WINDOW_GROWTH_ALLOWED = 100L << 10;
    private static final long NATIVE_GROWTH_ALLOWED = 8L << 20;
    private static final long RSS_GROWTH_ALLOWED = 16L << 20;
    private static final Path BASE = Path.of(System.getProperty("basedir", "."));

    @TempDir
    Path tmp;

    @Test
    void compileEvalCloseAndViewCyclesKeepNativeMemoryAndRssFlat() throws Exception {
        assumeTrue(Linker.nativeLinker().defaultLookup().find("mallinfo2").isPresent()
                && Files.exists(Path.of("/proc/self/status")), "needs glibc and /proc (Linux)");
        Path so = BASE.resolve("native/build/libane_bridge.so").toAbsolutePath();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", // C2's compiler arenas, malloc'd while it works, would drown the signal
                "-Dane4j.library.path=" + so, "-cp",
                BASE.resolve("target/classes") + java.io.File.pathSeparator + BASE.resolve("target/test-classes"),
                LeakProbe.class.getName());
        Process p = new ProcessBuilder(command).redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the probe finished");
        String out = Files.readString(tmp.resolve("out"));
        assertEquals(0, p.exitValue(), out + Files.readString(tmp.resolve("err")));
        Matcher m = Pattern.compile("(\\w+) cycles=(\\d+) native=(-?\\d+) rss=(-?\\d+) windows=([-\\d,]+)").matcher(out);
        Map<String, MatchResult> runs = m.results().collect(Collectors.toMap(r -> r.group(1), r -> r));
        assertEquals(List.of("10000", "100000"), List.of(runs.get("compile").group(2), runs.get("view").group(2)), out);
        runs.forEach((kind, r) -> {
            long cycles = Long.parseLong(r.group(2)), heap = Long.parseLong(r.group(3)), rss = Long.parseLong(r.group(4));
            long[] windows = Arrays.stream(r.group(5).split(",")).mapToLong(Long::parseLong).sorted().toArray();
            long median = windows[windows.length / 2];
            System.out.printf("leak check: %d %s cycles: native heap %+d bytes (median fifth %+d), RSS %+d bytes%n",
                    cycles, kind, heap, median, rss);
            assertTrue(median < WINDOW_GROWTH_ALLOWED, kind + ": the native heap grows steadily: windows " + r.group(5));
            assertTrue(heap < NATIVE_GROWTH_ALLOWED, kind + ": native heap grew by " + heap + " bytes");
            assertTrue(rss < RSS_GROWTH_ALLOWED, kind + ": RSS grew by " + rss + " bytes");
        });
    }
}
