package io.github.ane4j;

/** A failure reported by the native bridge or its backend. Carries the bridge's own message. */
public class AneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AneException(String message) { super(message); }
    public AneException(String message, Throwable cause) { super(message, cause); }
}
