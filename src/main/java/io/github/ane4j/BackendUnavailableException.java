package io.github.ane4j;

/**
 * The requested backend cannot be used on this machine, e.g. the Apple Neural Engine on Linux or on an Intel
 * Mac. The message carries the native bridge's reason.
 */
public class BackendUnavailableException extends AneException {
    private static final long serialVersionUID = 1L;

    /** An unavailable backend, with the reason.
     *  @param message why the backend cannot be used, in the native bridge's words */
    public BackendUnavailableException(String message) { super(message); }
}
