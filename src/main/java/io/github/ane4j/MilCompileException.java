package io.github.ane4j;

/**
 * A MIL program was rejected: malformed text, a type or shape mismatch, an unsupported op, a missing
 * weight file, or a size past one of the {@link Limit}s (the message then names the limit and its value). {@link #line()} and {@link #column()} locate the cause in the MIL text (1-based), or are 0
 * when the cause is not tied to a place.
 */
public class MilCompileException extends AneException {
    private static final long serialVersionUID = 1L;

    /** 1-based line of the cause, or 0. */
    private final int line;
    /** 1-based column of the cause, or 0. */
    private final int column;

    /**
     * A rejected program, with the place of the cause.
     *
     * @param message the cause
     * @param line    1-based line of the cause in the MIL text, or 0
     * @param column  1-based column of the cause, or 0
     */
    public MilCompileException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** {@return the 1-based line of the cause, or 0} */
    public int line() { return line; }

    /** {@return the 1-based column of the cause, or 0} */
    public int column() { return column; }
}
