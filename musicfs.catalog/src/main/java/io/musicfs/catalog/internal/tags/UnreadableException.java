package io.musicfs.catalog.internal.tags;

/**
 * The file's bytes are not the audio its extension promises, or its tag structures are broken or
 * absurd. Never an origin failure: those stay {@link java.io.IOException}s.
 */
final class UnreadableException extends Exception {

    private static final long serialVersionUID = 1L;

    UnreadableException(String message) {
        super(message, null, false, false);
    }
}
