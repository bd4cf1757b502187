package io.github.ane4j;

/**
 * The Apple Neural Engine compile budget of this process is spent: the ANE's compiler fails silently and then
 * crashes the process after about 119 compiles, so the {@code ane} backend refuses the next real compile once
 * {@link Ane#compileBudgetUsed()} reaches {@link Ane#compileBudget()}. Nothing was sent to the compiler.
 *
 * <p>What to do: reuse kernels (an identical program compiles once per process), pass weights that change as
 * dynamic weight inputs ({@link Ane#compileDynamic}) instead of recompiling, or continue in a new process.
 * {@link Ane#setCompileBudget(int)} changes the limit, at the risk of the crash it exists to avoid.
 */
public class CompileBudgetException extends AneException {
    private static final long serialVersionUID = 1L;

    /** A refused compile.
     *  @param message what was refused and why */
    public CompileBudgetException(String message) { super(message); }
}
