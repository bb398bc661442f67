package io.musicfs.api.library;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An immutable view of the whole virtual tree at one moment. Lookups never block and never fail
 * because the tree changes; a newer snapshot replaces this one.
 */
@ProviderType
public interface TreeSnapshot {

    Node root();

    /**
     * @param path an absolute virtual path such as {@code /Artist/Album (1997)/01 - Title.flac}
     * @return the node, or {@code null} when there is none
     */
    Node lookup(String path);

    /** @return the entries of a directory in a stable order; empty for a track */
    List<Node> children(Node directory);

    /** @return the number of tracks in the tree */
    int trackCount();

    /** @return the number of directories in the tree, the root included */
    int directoryCount();
}
