package io.musicfs.api.content;

import java.io.IOException;

/** The bytes asked for are not cached and no origin could deliver them in time. */
public class ContentUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    public ContentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public ContentUnavailableException(String message) {
        super(message);
    }
}
