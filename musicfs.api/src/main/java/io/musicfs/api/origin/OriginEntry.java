package io.musicfs.api.origin;

import java.util.Objects;

/**
 * The identity of one file on an origin: path, size, modification time and, where the origin has
 * one, an entity tag. A file whose identity changes is a changed file.
 *
 * @param path relative path with {@code /} separators, no leading slash
 * @param size size in bytes
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param etag the origin's content tag (S3 ETag), or {@code null} where the origin has none
 */
public record OriginEntry(String path, long size, long mtimeMillis, String etag) {

    public OriginEntry {
        Objects.requireNonNull(path, "path");
        if (size < 0) {
            throw new IllegalArgumentException("size < 0 for " + path);
        }
    }

    /** @return whether {@code other} describes the same content version of the same path */
    public boolean sameVersion(OriginEntry other) {
        return other != null && path.equals(other.path) && size == other.size
                && mtimeMillis == other.mtimeMillis && Objects.equals(etag, other.etag);
    }
}
