package io.musicfs.api.origin;

/**
 * A change an origin noticed. {@link Kind#OVERFLOW} means changes were lost and the origin should
 * be walked again.
 *
 * @param path the relative path that changed (a file or a directory), empty for {@link Kind#OVERFLOW}
 */
public record OriginChange(Kind kind, String path) {

    public enum Kind { CREATED, MODIFIED, DELETED, OVERFLOW }
}
