package io.github.ane4j;

/** A failure reported by the native bridge or its backend. Carries the bridge's own message. */
public class AneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message and no cause.
     *  @param message the reason, usually the bridge's own words */
    public AneException(String message) { super(message); }

    /** An exception with this message and cause.
     *  @param message the reason, usually the bridge's own words
     *  @param cause   the underlying failure */
    public AneException(String message, Throwable cause) { super(message, cause); }
}
