package io.musicfs.catalog.internal.tree;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.path.LibraryLayout;
import io.musicfs.catalog.internal.path.SafeName;

/**
 * Builds the immutable virtual tree from the catalog: each entry's path from the
 * {@link LibraryLayout}, folders merged ignoring case under their majority spelling, colliding
 * file names made unique in an order that does not depend on the input's, inodes that survive
 * restarts. A change is a full rebuild (a few hundred milliseconds for 100k tracks, see
 * {@code TreeBuilderScaleTest}); the caller swaps the snapshot it publishes.
 * Immutable and stateless between builds: {@link #build} may run on any thread, even concurrently.
 */
public final class TreeBuilder {

    private final LibraryLayout layout;

    public TreeBuilder(LibraryLayout layout) {
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /**
     * @param entries the catalogued files; their file ids are their inodes, so they must be unique and from 2 to 2^62 - 1
     * @param originPriority an origin's priority (lower first) for choosing which of two files keeps a shared name
     * @throws IllegalArgumentException for a file id that cannot be an inode (below 2, too large, or twice)
     */
    public TreeSnapshot build(Collection<? extends CatalogEntry> entries, ToIntFunction<String> originPriority) {
        FolderDraft root = new FolderDraft();
        Map<String, Origin> origins = new HashMap<>();
        long[] fileIds = new long[entries.size()];
        int tracks = 0;
        for (CatalogEntry entry : entries) {
            fileIds[tracks++] = checkFileId(entry.fileId());
            // one String per origin id and its priority asked once, however many files the origin has
            Origin origin = origins.computeIfAbsent(entry.originId(),
                    id -> new Origin(id, originPriority.applyAsInt(id)));
            List<String> path = layout.pathOf(entry);
            FolderDraft folder = root;
            for (int i = 0; i < path.size() - 1; i++) {
                folder = folder.folder(path.get(i));
            }
            String name = path.get(path.size() - 1);
            TrackFile track = new TrackFile(entry.fileId(), origin.id(), entry.path(), entry.size(),
                    entry.mtimeMillis(), entry.etag());
            folder.add(new FolderDraft.FileDraft(name, NameOrder.key(name), SafeName.extensionOf(entry.path()),
                    origin.priority(), track));
        }
        checkUnique(fileIds);
        DirectoryInodes inodes = new DirectoryInodes();
        DirectoryNode top = root.finish("", "", inodes);
        return new VirtualTree(top, tracks, 1 + inodes.issued());
    }

    private record Origin(String id, int priority) {
    }

    /** Root is inode 1 and directories have {@link DirectoryInodes#DIRECTORY_BIT} set: a file id there would share an inode. */
    private static long checkFileId(long fileId) {
        if (fileId <= DirectoryInodes.ROOT || fileId >= DirectoryInodes.DIRECTORY_BIT) {
            throw new IllegalArgumentException("file id " + fileId + " cannot be an inode: it must be from "
                    + (DirectoryInodes.ROOT + 1) + " to " + (DirectoryInodes.DIRECTORY_BIT - 1));
        }
        return fileId;
    }

    private static void checkUnique(long[] fileIds) {
        Arrays.sort(fileIds);
        for (int i = 1; i < fileIds.length; i++) {
            if (fileIds[i] == fileIds[i - 1]) {
                throw new IllegalArgumentException("file id " + fileIds[i] + " is catalogued twice; inodes must be unique");
            }
        }
    }
}
