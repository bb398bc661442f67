package io.musicfs.catalog.internal;

import io.musicfs.api.library.TrackFile;

/**
 * One catalogued file as persisted in Derby: which origin file it is, its identity, and its tags.
 *
 * @param fileId the catalog's id, stable across restarts (used as the track's inode number)
 * @param originId the origin holding the file
 * @param path the relative path on the origin
 * @param size size in bytes
 * @param mtimeMillis modification time
 * @param etag content tag or {@code null}
 * @param tags the tags, {@link TrackTags#NONE} when unreadable
 */
public record CatalogEntry(long fileId, String originId, String path, long size, long mtimeMillis,
        String etag, TrackTags tags) {

    /** @return the file as the read path needs it */
    public TrackFile trackFile() {
        return new TrackFile(fileId, originId, path, size, mtimeMillis, etag);
    }
}
