package io.musicfs.catalog.internal.sync;

import java.time.Duration;

/**
 * What one sync of one origin did. Counts of added, changed, unreadable files and bytes fetched
 * cover the whole sync generation: a sync that resumed a killed one includes what the killed one
 * committed, so every file is counted once.
 *
 * @param originId the origin
 * @param generation the sync generation
 * @param resumed whether this run resumed a sync that had stopped half-way
 * @param complete whether the walk listed the whole origin, so files no longer there were removed;
 *     {@code false} when parts could not be listed, or the origin listed nothing at all while the
 *     catalog holds files of it (an unmounted disk): nothing was removed then
 * @param listed audio files the walk listed
 * @param added files new to the catalog
 * @param changed files whose new version (or retried tags) was written
 * @param removed files removed because the origin no longer has them
 * @param unchanged listed files whose catalogued version was current (this run)
 * @param unreadable files whose tags cannot be read (stored untagged, logged once)
 * @param failed files whose bytes the origin did not deliver (this run); read again next sync
 * @param bytesFetched origin bytes read for tags
 * @param duration how long this run took
 */
public record SyncSummary(String originId, long generation, boolean resumed, boolean complete, long listed,
        long added, long changed, long removed, long unchanged, long unreadable, long failed, long bytesFetched,
        Duration duration) {

    @Override
    public String toString() {
        return "origin " + originId + " generation " + generation + (resumed ? " (resumed)" : "") + ": " + listed
                + " listed, " + added + " added, " + changed + " changed, " + removed + " removed, " + unchanged
                + " unchanged, " + unreadable + " unreadable, " + failed + " failed, " + bytesFetched
                + " bytes fetched for tags" + (complete ? "" : ", listing incomplete so files under the unlisted parts were kept") + ", in "
                + duration.toMillis() + " ms";
    }
}
