package io.musicfs.api.library;

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
}
