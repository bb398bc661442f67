package io.musicfs.cas.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;

/**
 * The next track in album order: the track that follows a file in its directory of the virtual tree
 * ({@link TreeSnapshot#children} order is the tree's stable order, which the path patterns make the
 * track order). The tree offers no way from a file to its directory, so the first question about a
 * snapshot walks it once and remembers, for every track, the one after it; a newer snapshot starts
 * over. About 40 bytes per track while one snapshot is current.
 *
 * <p>Threading: any thread; the monitor of this object guards the remembered snapshot and map. The
 * walk runs under it, on a read-ahead thread, never on a reader's.
 */
final class AlbumOrder {

    private TreeSnapshot snapshot;
    private Map<Long, TrackFile> next = Map.of();

    /** @return the track after {@code file} in its directory of {@code tree}, or null when it is the last or not in the tree */
    synchronized TrackFile next(TreeSnapshot tree, TrackFile file) {
        if (tree != snapshot) {
            next = walk(tree);
            snapshot = tree;
        }
        return next.get(file.fileId());
    }

    private static Map<Long, TrackFile> walk(TreeSnapshot tree) {
        Map<Long, TrackFile> next = new HashMap<>();
        Deque<Node> directories = new ArrayDeque<>();
        directories.push(tree.root());
        while (!directories.isEmpty()) {
            List<Node> children = tree.children(directories.pop());
            TrackFile previous = null;
            for (Node child : children) {
                if (child.isDirectory()) {
                    directories.push(child);
                    continue;
                }
                TrackFile track = child.track();
                if (track == null) {
                    continue;
                }
                if (previous != null) {
                    next.put(previous.fileId(), track);
                }
                previous = track;
            }
        }
        return next;
    }
}
