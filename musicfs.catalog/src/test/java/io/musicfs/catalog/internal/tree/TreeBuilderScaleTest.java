package io.musicfs.catalog.internal.tree;

import static io.musicfs.catalog.internal.path.Tags.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.path.LibraryLayout;

/**
 * Builds a 100k-track tree and prints how long it took and roughly how much heap the snapshot
 * keeps. Prints rather than asserts: timings depend on the machine; the numbers go in reviews.
 */
class TreeBuilderScaleTest {

    private static final int ARTISTS = 2_500;
    private static final int ALBUMS_PER_ARTIST = 4;
    private static final int TRACKS_PER_ALBUM = 10;
    private static final int TRACKS = ARTISTS * ALBUMS_PER_ARTIST * TRACKS_PER_ALBUM;

    private final TreeBuilder builder = new TreeBuilder(LibraryLayout.defaults());

    /** Realistic lengths: origin paths of ~70 characters, titles of ~25, an S3 etag on half the files. */
    private static List<CatalogEntry> library() {
        List<CatalogEntry> entries = new ArrayList<>(TRACKS);
        long id = 2;
        for (int a = 0; a < ARTISTS; a++) {
            String artist = "Artist Name Number " + a;
            for (int b = 0; b < ALBUMS_PER_ARTIST; b++) {
                String album = "The Album Title " + b + " of " + artist.hashCode();
                for (int t = 1; t <= TRACKS_PER_ALBUM; t++) {
                    String title = "A Song Called Something " + t;
                    boolean s3 = id % 2 == 0;
                    String path = "music/" + artist + "/" + album + "/" + String.format("%02d", t) + " " + title + ".flac";
                    entries.add(new CatalogEntry(id, s3 ? "s3-main" : "local-disk", path, 30_000_000 + id,
                            1_600_000_000_000L + id, s3 ? Long.toHexString(id * 0x9E3779B97F4A7C15L) + "0123456789abcdef" : null,
                            tags().albumArtist(artist).artist(artist).album(album).title(title).track(t, TRACKS_PER_ALBUM)
                                    .disc(1, 1).date("2001-01-01").genre("Rock").format("FLAC").build()));
                    id++;
                }
            }
        }
        return entries;
    }

    @Test
    void buildsAHundredThousandTracks() {
        List<CatalogEntry> entries = library();
        long start = System.nanoTime();
        builder.build(entries, origin -> 0);
        long coldMillis = (System.nanoTime() - start) / 1_000_000; // what the daemon's first tree at start costs
        for (int warmUp = 0; warmUp < 3; warmUp++) {
            builder.build(entries, origin -> 0);
        }
        start = System.nanoTime();
        TreeSnapshot tree = builder.build(entries, origin -> 0);
        long warmMillis = (System.nanoTime() - start) / 1_000_000; // what a rebuild after a sync costs
        assertEquals(TRACKS, tree.trackCount());
        assertEquals(1 + ARTISTS + ARTISTS * ALBUMS_PER_ARTIST, tree.directoryCount());
        assertNotNull(tree.lookup("/Artist Name Number 42/The Album Title 3 of " + "Artist Name Number 42".hashCode()
                + " (2001)/07 - A Song Called Something 7.flac"));

        long lookupNanos = nanosPerTrackLookup(tree);
        long retained = retainedBySnapshotAlone();
        System.out.printf("TreeBuilderScaleTest: %d tracks, %d directories built in %d ms cold, %d ms warm; "
                + "%d ns per track lookup; snapshot retains ~%.1f MB, ~%d bytes per track%n", tree.trackCount(),
                tree.directoryCount(), coldMillis, warmMillis, lookupNanos, retained / 1e6, retained / TRACKS);
    }

    /** Looks every track up by its absolute path, as FUSE does on every open and getattr. */
    private static long nanosPerTrackLookup(TreeSnapshot tree) {
        List<String> paths = new ArrayList<>(TRACKS);
        for (Node artist : tree.children(tree.root())) {
            for (Node album : tree.children(artist)) {
                for (Node track : tree.children(album)) {
                    paths.add("/" + artist.name() + "/" + album.name() + "/" + track.name());
                }
            }
        }
        assertEquals(TRACKS, paths.size());
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            for (String path : paths) {
                assertNotNull(tree.lookup(path));
            }
            best = Math.min(best, (System.nanoTime() - start) / TRACKS);
        }
        return best;
    }

    /** Heap in use with only a fresh snapshot alive minus heap in use before: the entries are dropped before measuring. */
    private long retainedBySnapshotAlone() {
        long before = usedAfterGc();
        TreeSnapshot tree = buildFromDroppedEntries();
        long after = usedAfterGc();
        assertEquals(TRACKS, tree.trackCount()); // keeps the snapshot reachable until measured
        return after - before;
    }

    private TreeSnapshot buildFromDroppedEntries() {
        return builder.build(library(), origin -> 0);
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
