package io.musicfs.api.library;

import java.util.Objects;

/**
 * One catalogued file and the origin file behind it, as the read path needs it.
 *
 * @param fileId the catalog's id of the file; stable across restarts, also its inode number
 * @param originId the origin holding the file
 * @param path the file's relative path on that origin
 * @param size the origin file's size in bytes
 * @param mtimeMillis the origin file's modification time
 * @param etag the origin's content tag, or {@code null}
 */
public record TrackFile(long fileId, String originId, String path, long size, long mtimeMillis, String etag) {

    public TrackFile {
        Objects.requireNonNull(originId, "originId");
        Objects.requireNonNull(path, "path");
    }
}
