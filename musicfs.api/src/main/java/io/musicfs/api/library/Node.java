package io.musicfs.api.library;

import org.osgi.annotation.versioning.ProviderType;

/** A directory or a track of the virtual tree. Immutable; belongs to one {@link TreeSnapshot}. */
@ProviderType
public interface Node {

    /** @return the inode number; stable across restarts for the same directory path or catalogued file */
    long inode();

    /** @return the name of this entry in its parent; empty for the root */
    String name();

    boolean isDirectory();

    /** @return the file size in bytes; 0 for directories */
    long size();

    /** @return the modification time: the origin file's for a track, the newest below it for a directory */
    long mtimeMillis();

    /** @return the file behind a track, {@code null} for a directory */
    TrackFile track();
}
