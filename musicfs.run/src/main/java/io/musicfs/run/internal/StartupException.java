package io.musicfs.run.internal;

/** The daemon cannot start; the message is one line for the operator, naming the culprit. */
final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    StartupException(String message) {
        super(message);
    }
}
