package io.musicfs.catalog.internal.tree;

import java.util.List;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TreeSnapshot;

/**
 * One immutable snapshot of the virtual tree. Every field is final and every node is immutable,
 * so any number of threads read it without locking; a change builds a new snapshot.
 */
final class VirtualTree implements TreeSnapshot {

    private final DirectoryNode root;
    private final int trackCount;
    private final int directoryCount;

    VirtualTree(DirectoryNode root, int trackCount, int directoryCount) {
        this.root = root;
        this.trackCount = trackCount;
        this.directoryCount = directoryCount;
    }

    @Override
    public Node root() {
        return root;
    }

    /** Walks the path one name at a time; {@code "/"} is the root, and empty names ({@code //}, a trailing {@code /}) match nothing. */
    @Override
    public Node lookup(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        Node node = root;
        int start = 1;
        while (start < path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end == start || !(node instanceof DirectoryNode directory)) {
                return null;
            }
            node = directory.child(path.substring(start, end));
            if (node == null) {
                return null;
            }
            start = end + 1;
        }
        return path.length() > 1 && path.charAt(path.length() - 1) == '/' ? null : node;
    }

    @Override
    public List<Node> children(Node directory) {
        return directory instanceof DirectoryNode d ? d.children() : List.of();
    }

    @Override
    public int trackCount() {
        return trackCount;
    }

    @Override
    public int directoryCount() {
        return directoryCount;
    }
}
