package io.github.ane4j;

/** Running a compiled kernel failed; the message is the native bridge's reason. */
public class AneEvalException extends AneException {
    private static final long serialVersionUID = 1L;

    /** An eval failure with this reason.
     *  @param message the native bridge's reason */
    public AneEvalException(String message) { super(message); }
}
