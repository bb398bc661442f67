package io.musicfs.catalog.internal.db;

import java.util.Objects;

import io.musicfs.api.origin.OriginEntry;

/**
 * The identity the catalog holds for one origin file, as the sync diff needs it.
 *
 * @param fileId the stable file id (inode number)
 * @param path the relative path on the origin
 * @param size size in bytes
 * @param mtimeMillis modification time
 * @param etag content tag or {@code null}
 * @param tagState whether the tags were read
 * @param tagsVersion the {@code TagReader.VERSION} that read them
 */
public record StoredFile(long fileId, String path, long size, long mtimeMillis, String etag, TagState tagState,
        int tagsVersion) {

    /** @return whether {@code entry} is the version of the file the catalog holds */
    public boolean sameVersion(OriginEntry entry) {
        return size == entry.size() && mtimeMillis == entry.mtimeMillis() && Objects.equals(etag, entry.etag());
    }
}
