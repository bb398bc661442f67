package io.musicfs.api.library;

/**
 * Where the sync of one origin stands.
 *
 * @param originId the origin
 * @param running whether a sync is under way
 * @param completedSyncs how many full syncs finished since start
 * @param filesSeen files listed by the current or last sync
 * @param lastError the last sync failure, or {@code null}
 */
public record SyncState(String originId, boolean running, long completedSyncs, long filesSeen, String lastError) {
}
