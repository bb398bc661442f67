package io.musicfs.api.library;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The catalog's view of the music: the current virtual tree, served from what is persisted from
 * the first moment, and kept up to date by the background sync.
 */
@ProviderType
public interface Library {

    /** Event Admin topic sent after the tree changed; property {@code tracks} holds the new count. */
    String TOPIC_TREE_CHANGED = "io/musicfs/library/TREE_CHANGED";
    /** Event Admin topic sent when a sync of an origin finished; properties {@code origin}, {@code added}, {@code changed}, {@code removed}. */
    String TOPIC_SYNC_FINISHED = "io/musicfs/library/SYNC_FINISHED";

    /** @return the current tree; cheap, never blocks */
    TreeSnapshot tree();

    /** @return the state of the background sync of one origin, or {@code null} for an unknown origin */
    SyncState syncState(String originId);

    /** @return the sync state of every configured origin, in priority order */
    List<SyncState> syncStates();

    /**
     * Starts a full sync of one origin now, unless one is already running (then that one counts).
     * Progress shows in {@link #syncState(String)}; {@link #TOPIC_SYNC_FINISHED} tells the end.
     *
     * @return {@code false} when no such origin is configured or its service is not there
     */
    boolean rescan(String originId);
}
