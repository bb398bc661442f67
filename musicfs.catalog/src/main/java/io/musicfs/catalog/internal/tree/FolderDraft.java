package io.musicfs.catalog.internal.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TrackFile;
import io.musicfs.catalog.internal.path.SafeName;

/**
 * A folder while a tree is being built: its subfolders merged by case-folded name with a count of
 * every spelling the tracks below used, and its files before their names are made unique.
 * {@link #finish} turns it into an immutable {@link DirectoryNode}. Mutable; one build thread.
 */
final class FolderDraft {

    /** A file waiting for its final name; {@code key} is the folded {@code name}. */
    record FileDraft(String name, String key, String extension, int priority, TrackFile track) {
    }

    /** "First" of the doc's "Two files, one name": origin priority, origin id, path on the origin; the file id only separates true duplicates. */
    private static final Comparator<FileDraft> PRECEDENCE = Comparator.comparing(FileDraft::key)
            .thenComparingInt(FileDraft::priority)
            .thenComparing(f -> f.track().originId(), NameOrder::compareCodePoints)
            .thenComparing(f -> f.track().path(), NameOrder::compareCodePoints)
            .thenComparingLong(f -> f.track().fileId());

    private final Map<String, FolderDraft> folders = new HashMap<>();
    /** Each spelling of this folder's name and how many tracks below use it. */
    private final Map<String, int[]> spellings = new HashMap<>(4);
    private final List<FileDraft> files = new ArrayList<>();

    /** @return the subfolder of that name ignoring case, created when new; counts one track's use of this spelling */
    FolderDraft folder(String name) {
        FolderDraft child = folders.computeIfAbsent(NameOrder.key(name), k -> new FolderDraft());
        child.spellings.computeIfAbsent(name, k -> new int[1])[0]++;
        return child;
    }

    void add(FileDraft file) {
        files.add(file);
    }

    /**
     * Builds this folder and everything below it, subfolders in key order so inodes are handed out
     * in a stable order.
     *
     * @param foldedPath this folder's path of folded names, {@code ""} for the root
     */
    DirectoryNode finish(String name, String foldedPath, DirectoryInodes inodes) {
        List<Node> children = new ArrayList<>(folders.size() + files.size());
        long newest = 0;
        List<String> keys = new ArrayList<>(folders.keySet());
        keys.sort(null);
        for (String key : keys) {
            FolderDraft folder = folders.get(key);
            DirectoryNode child = folder.finish(folder.majoritySpelling(), foldedPath + '/' + key, inodes);
            newest = Math.max(newest, child.mtimeMillis());
            children.add(child);
        }
        for (TrackNode track : nameFiles()) {
            newest = Math.max(newest, track.mtimeMillis());
            children.add(track);
        }
        Node[] sorted = children.toArray(Node[]::new);
        Arrays.sort(sorted, Comparator.comparing(Node::name, NameOrder.INSTANCE));
        long inode = foldedPath.isEmpty() ? DirectoryInodes.ROOT : inodes.of(foldedPath);
        return new DirectoryNode(name, inode, newest, sorted);
    }

    /** The doc: the spelling most tracks use; on a tie the first by code points. */
    private String majoritySpelling() {
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, int[]> spelling : spellings.entrySet()) {
            int count = spelling.getValue()[0];
            if (count > bestCount || count == bestCount && NameOrder.compareCodePoints(spelling.getKey(), best) < 0) {
                best = spelling.getKey();
                bestCount = count;
            }
        }
        return best;
    }

    /**
     * Gives every file a name unique ignoring case among its siblings. Subfolders keep their names;
     * the first file of each name keeps it; the others get " (2)", " (3)", ... skipping any name
     * already taken, including names other files have without a suffix, whatever the input order.
     */
    private List<TrackNode> nameFiles() {
        files.sort(PRECEDENCE);
        Set<String> taken = new HashSet<>(folders.keySet());
        List<TrackNode> named = new ArrayList<>(files.size());
        List<FileDraft> renamed = new ArrayList<>();
        String previousKey = null;
        for (FileDraft file : files) {
            boolean first = !file.key().equals(previousKey);
            previousKey = file.key();
            if (first && taken.add(file.key())) {
                named.add(new TrackNode(file.name(), file.track()));
            } else {
                renamed.add(file);
            }
        }
        int suffix = 1;
        previousKey = null;
        for (FileDraft file : renamed) {
            if (!file.key().equals(previousKey)) {
                suffix = 1;
                previousKey = file.key();
            }
            String name;
            do {
                suffix++;
                name = SafeName.withSuffix(file.name(), file.extension(), " (" + suffix + ")");
            } while (!taken.add(NameOrder.key(name)));
            named.add(new TrackNode(name, file.track()));
        }
        return named;
    }
}
