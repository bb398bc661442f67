package io.musicfs.api.origin;

/**
 * A change an origin noticed. {@link Kind#OVERFLOW} means changes were lost and the origin should
 * be walked again.
 *
 * <p>A {@link Kind#DELETED} path may name a directory, in which case everything below it is gone;
 * files that appear with a new directory are reported one {@link Kind#CREATED} each.
 *
 * @param path the relative path that changed, empty for {@link Kind#OVERFLOW}
 */
public record OriginChange(Kind kind, String path) {

    public enum Kind { CREATED, MODIFIED, DELETED, OVERFLOW }
}
