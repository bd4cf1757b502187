package io.github.ane4j.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress of the training steps: on a terminal one line redrawn in place (a bar, the recent training
 * loss, steps/s, ETA and the compile count); elsewhere (CI, a pipe) a plain line every {@code every} steps.
 * Other lines ({@link #println}) go above the bar.
 */
final class Progress {
    private static final int BAR_WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final int first, last, every;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean barShown;
    private double lossSum;
    private int lossCount;

    /** Progress from step {@code first} (exclusive: the step the run starts after) to {@code last}. */
    Progress(PrintStream out, boolean terminal, int first, int last, int every) {
        this.out = out;
        this.terminal = terminal;
        this.first = first;
        this.last = last;
        this.every = every;
    }

    /** Records that step {@code step} finished with training loss {@code loss}. */
    void step(int step, double loss, int compiles) {
        lossSum += loss;
        lossCount++;
        long now = System.nanoTime();
        double seconds = (now - start) / 1e9, rate = (step - first) / seconds;
        String eta = rate > 0 ? duration((last - step) / rate) : "?";
        String status = String.format(Locale.ROOT, "%d/%d  loss %.3f  %.1f steps/s  ETA %s  %d compiles",
                step, last, lossSum / lossCount, rate, eta, compiles);
        if (terminal) {
            if (now - lastDraw >= REDRAW_NANOS || step == last) {
                int filled = (int) ((long) BAR_WIDTH * (step - first) / Math.max(1, last - first));
                out.print("\r[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + status + "\033[K");
                out.flush();
                barShown = true;
                lastDraw = now;
            }
            if (step % every == 0) resetLoss();
        } else if (step % every == 0 || step == last) {
            out.println("step " + status);
            resetLoss();
        }
    }

    /** Prints a line above the bar. */
    void println(String line) {
        if (barShown) out.print("\r\033[K");
        out.println(line);
        barShown = false;
        lastDraw = 0;
    }

    /** Ends the bar's line. */
    void finish() {
        if (barShown) out.println();
        barShown = false;
    }

    private void resetLoss() {
        lossSum = 0;
        lossCount = 0;
    }

    /** "42s" or "3m07s". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + "s" : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
