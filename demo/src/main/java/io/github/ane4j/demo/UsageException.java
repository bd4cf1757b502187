package io.github.ane4j.demo;

/** A bad command line: the message says what is wrong; the demo prints it with the usage and exits with 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) { super(message); }
}
