package io.github.ane4j;

import io.github.ane4j.mil.MilProgram;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link LeakTest}, with a fixed, pre-touched Java heap so that the resident set
 * size moves only with native memory: 10,000 compile/eval/close cycles (each a real compile of a new
 * text) and 100,000 view open/close cycles, each after a warm-up. Prints, per kind of cycle,
 * {@code <kind> cycles=<n> native=<bytes> rss=<bytes> windows=<bytes>,...}: the growth of the bytes malloc
 * has handed out (glibc's mallinfo2) and of the resident set size (VmRSS of /proc/self/status), and the
 * native growth in each fifth of the cycles. Linux with glibc only.
 */
public final class LeakProbe {
    static final int WINDOWS = 5;

    private LeakProbe() {}

    /** size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost */
    private static final StructLayout MALLINFO2 = MemoryLayout.structLayout(
            java.util.stream.Stream.generate(() -> ValueLayout.JAVA_LONG).limit(10).toArray(MemoryLayout[]::new));

    private static final MethodHandle MALLINFO = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mallinfo2").orElseThrow(), FunctionDescriptor.of(MALLINFO2));

    /** Bytes malloc has handed out and not taken back: small blocks (uordblks) plus mmapped ones (hblkhd). */
    private static long nativeHeapBytes() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO.invokeExact((SegmentAllocator) arena);
            return info.getAtIndex(ValueLayout.JAVA_LONG, 7) + info.getAtIndex(ValueLayout.JAVA_LONG, 4);
        }
    }

    private static long rssBytes() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .findFirst().orElseThrow();
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
    }

    /** Runs {@code cycles} after {@code warmup} in WINDOWS equal windows and prints how both measures grew in
     *  all, and the native heap in each window. */
    private static void measure(String kind, int warmup, int cycles, Cycle cycle) throws Throwable {
        for (int i = 0; i < warmup; i++) cycle.run(i);
        System.gc();
        long heap0 = nativeHeapBytes(), rss0 = rssBytes(), last = heap0;
        StringBuilder windows = new StringBuilder();
        for (int w = 0; w < WINDOWS; w++) {
            for (int i = 0; i < cycles / WINDOWS; i++) cycle.run(warmup + w * (cycles / WINDOWS) + i);
            long now = nativeHeapBytes();
            windows.append(w == 0 ? "" : ",").append(now - last);
            last = now;
        }
        System.gc();
        System.out.printf("%s cycles=%d native=%d rss=%d windows=%s%n", kind, cycles, nativeHeapBytes() - heap0,
                rssBytes() - rss0, windows);
    }

    private interface Cycle { void run(int i) throws Throwable; }

    private static float round16(float v) { return Float.float16ToFloat(Float.floatToFloat16(v)); }

    /** out = x * x + c, unique per i through the constant c. */
    private static MilProgram program(int i) {
        return MilProgram.parse("""
                program(1.3)
                {
                    func main<ios18>(tensor<fp16, [1, 16]> x) {
                        fp16 c = const()[name = string("c"), val = fp16(%d)];
                        tensor<fp16, [1, 16]> sq = mul(x = x, y = x)[name = string("sq")];
                        tensor<fp16, [1, 16]> out = add(x = sq, y = c)[name = string("out")];
                    } -> (out);
                }
                """.formatted(i % 60000));
    }

    public static void main(String[] args) throws Throwable {
        float[] x = Programs.exactFp16Values(16, 3);
        try (Ane ane = Ane.open(Backend.REFERENCE)) {
            measure("compile", 1_000, 10_000, i -> {
                try (Kernel k = ane.compile(program(i))) {
                    k.input(0).write(x);
                    k.eval();
                    float[] y = k.output(0).readFloats();
                    float want = round16(round16(x[5] * x[5]) + round16(i % 60000));
                    if (y[5] != want) throw new AssertionError("cycle " + i + ": " + y[5] + ", expected " + want);
                }
            });
            try (Kernel k = ane.compile(Programs.addSelf(4, 8))) {
                measure("view", 10_000, 100_000, i -> {
                    try (SurfaceView v = k.input(0).map()) {
                        v.segment().setAtIndex(ValueLayout.JAVA_SHORT, i % 32, (short) i);
                    }
                });
            }
        }
    }
}
