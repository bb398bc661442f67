package io.musicfs.catalog.internal.tree;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TrackFile;

/**
 * A directory of the tree. Its children are an array sorted by {@link NameOrder}, which is both
 * the listing order and the index for lookups (binary search: no per-directory map to pay for).
 * Immutable: the array is filled before construction and never written again, so the final field
 * publishes it to every reader thread.
 */
final class DirectoryNode implements Node {

    private final String name;
    private final long inode;
    private final long mtimeMillis;
    private final Node[] children;

    /** @param children sorted by {@link NameOrder} on their names, owned by this node from now on */
    DirectoryNode(String name, long inode, long mtimeMillis, Node[] children) {
        this.name = name;
        this.inode = inode;
        this.mtimeMillis = mtimeMillis;
        this.children = children;
    }

    /** @return the child of exactly that name, or {@code null} */
    Node child(String childName) {
        int low = 0;
        int high = children.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int c = NameOrder.INSTANCE.compare(children[mid].name(), childName);
            if (c < 0) {
                low = mid + 1;
            } else if (c > 0) {
                high = mid - 1;
            } else {
                return children[mid];
            }
        }
        return null;
    }

    /** @return a read-only view of the children, without copying */
    List<Node> children() {
        return Collections.unmodifiableList(Arrays.asList(children));
    }

    @Override
    public long inode() {
        return inode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isDirectory() {
        return true;
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public long mtimeMillis() {
        return mtimeMillis;
    }

    @Override
    public TrackFile track() {
        return null;
    }

    @Override
    public String toString() {
        return name + "/";
    }
}
