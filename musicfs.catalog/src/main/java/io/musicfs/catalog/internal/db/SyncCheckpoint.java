package io.musicfs.catalog.internal.db;

/**
 * Where the sync of one origin stands, committed with every batch: a sync killed half-way resumes
 * with the same generation and these counts, so every file is counted once.
 *
 * @param originId the origin
 * @param generation the sync generation (per origin, increasing; files written by it carry it)
 * @param complete whether this generation finished (a new sync then starts the next generation)
 * @param startedAtMillis when the generation started (wall clock, for display only)
 * @param batches batches committed so far
 * @param added files added so far
 * @param changed files whose new version was written so far
 * @param removed files removed (only at the end of a complete walk)
 * @param unreadable files found unreadable so far
 * @param bytesFetched origin bytes read for tags so far
 */
public record SyncCheckpoint(String originId, long generation, boolean complete, long startedAtMillis, int batches,
        long added, long changed, long removed, long unreadable, long bytesFetched) {

    /** @return this checkpoint after one more batch with these counts */
    public SyncCheckpoint plusBatch(long added, long changed, long unreadable, long bytesFetched) {
        return new SyncCheckpoint(originId, generation, false, startedAtMillis, batches + 1, this.added + added,
                this.changed + changed, removed, this.unreadable + unreadable, this.bytesFetched + bytesFetched);
    }

    /** @return this checkpoint, finished, with the removals of the final step */
    public SyncCheckpoint finished(long removed) {
        return new SyncCheckpoint(originId, generation, true, startedAtMillis, batches, added, changed,
                this.removed + removed, unreadable, bytesFetched);
    }
}
