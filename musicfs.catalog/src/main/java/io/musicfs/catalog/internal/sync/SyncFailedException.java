package io.musicfs.catalog.internal.sync;

import java.io.IOException;

/**
 * A sync of an origin could not do its job: the origin cannot be listed, or it stopped answering
 * half-way. The message names the origin and the cause. Nothing was removed from the catalog;
 * what was committed before the failure stays, and the next sync resumes from the checkpoint.
 */
public final class SyncFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String originId;

    SyncFailedException(String originId, String message, Throwable cause) {
        super(message, cause);
        this.originId = originId;
    }

    /** @return the origin whose sync failed */
    public String originId() {
        return originId;
    }
}
