package io.musicfs.catalog.internal.sync;

/**
 * What a watcher-driven update of some paths did.
 *
 * @param added files new to the catalog
 * @param changed files whose new version was written
 * @param removed files removed because they are gone
 * @param unreadable files whose tags cannot be read
 * @param failed files whose bytes the origin did not deliver (left as they were)
 * @param bytesFetched origin bytes read for tags
 * @param walkAdvised whether a path named something that is not a listed file (a folder, most
 *     likely): its new content can only be found by a full sync
 */
public record DeltaSummary(long added, long changed, long removed, long unreadable, long failed, long bytesFetched,
        boolean walkAdvised) {
}
