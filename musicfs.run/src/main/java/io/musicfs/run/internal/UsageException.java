package io.musicfs.run.internal;

/** The command line or the config file is wrong; the message says where and how. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
