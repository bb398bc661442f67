package io.musicfs.catalog.internal.tree;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TrackFile;

/**
 * A track of the tree: its name and the file behind it, nothing else (there are ~100k of these, so
 * inode, size and mtime are read from the {@link TrackFile}). Immutable.
 */
final class TrackNode implements Node {

    private final String name;
    private final TrackFile track;

    TrackNode(String name, TrackFile track) {
        this.name = name;
        this.track = track;
    }

    /** The catalog's file id: stable across restarts, and never a directory's inode (see {@link DirectoryInodes}). */
    @Override
    public long inode() {
        return track.fileId();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isDirectory() {
        return false;
    }

    @Override
    public long size() {
        return track.size();
    }

    @Override
    public long mtimeMillis() {
        return track.mtimeMillis();
    }

    @Override
    public TrackFile track() {
        return track;
    }

    @Override
    public String toString() {
        return name + " -> " + track.originId() + ":" + track.path();
    }
}
