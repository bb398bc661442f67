package io.musicfs.catalog.internal.tree;

import static io.musicfs.catalog.internal.path.Tags.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.ToIntFunction;

import org.junit.jupiter.api.Test;

import io.musicfs.api.library.Node;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;
import io.musicfs.catalog.internal.path.LibraryLayout;

class TreeBuilderTest {

    private static final TreeBuilder DEFAULT = new TreeBuilder(LibraryLayout.defaults());
    /** One folder per album, files named by title: collisions are easy to make. */
    private static final TreeBuilder BY_ALBUM = new TreeBuilder(
            new LibraryLayout("{album}/{title}.{ext}", "{album}/{title}.{ext}", "{album|'Loose'}/{filename}"));
    private static final ToIntFunction<String> SAME_PRIORITY = origin -> 0;

    private static CatalogEntry entry(long id, String origin, String path, long mtime, TrackTags tags) {
        return new CatalogEntry(id, origin, path, 1000 + id, mtime, null, tags);
    }

    private static CatalogEntry song(long id, String artist, String album, int track, String title) {
        return entry(id, "nas", artist + "/" + album + "/" + track + ".flac", 1_000_000 + id,
                tags().artist(artist).album(album).title(title).track(track, 0).build());
    }

    private static CatalogEntry titled(long id, String origin, String path, String album, String title) {
        return entry(id, origin, path, 5, tags().album(album).title(title).build());
    }

    /** @return every node's absolute path, in listing order */
    private static Map<String, Node> walk(TreeSnapshot tree) {
        Map<String, Node> paths = new LinkedHashMap<>();
        walk(tree, tree.root(), "", paths);
        return paths;
    }

    private static void walk(TreeSnapshot tree, Node node, String path, Map<String, Node> out) {
        out.put(path.isEmpty() ? "/" : path, node);
        for (Node child : tree.children(node)) {
            walk(tree, child, path + "/" + child.name(), out);
        }
    }

    /** @return file id to the path it got */
    private static Map<Long, String> trackPaths(TreeSnapshot tree) {
        Map<Long, String> ids = new LinkedHashMap<>();
        walk(tree).forEach((path, node) -> {
            if (!node.isDirectory()) {
                ids.put(node.track().fileId(), path);
            }
        });
        return ids;
    }

    private static <T> List<T> shuffled(List<T> list, long seed) {
        List<T> copy = new ArrayList<>(list);
        Collections.shuffle(copy, new Random(seed));
        return copy;
    }

    @Test
    void tracksLandAtTheirPatternPaths() {
        TreeSnapshot tree = DEFAULT.build(List.of(song(2, "Radiohead", "OK Computer", 1, "Airbag"),
                song(3, "Radiohead", "OK Computer", 2, "Paranoid Android"), song(4, "Björk", "Post", 1, "Army of Me")),
                SAME_PRIORITY);
        assertEquals(Set.of("/", "/Björk", "/Björk/Post", "/Björk/Post/01 - Army of Me.flac", "/Radiohead",
                "/Radiohead/OK Computer", "/Radiohead/OK Computer/01 - Airbag.flac",
                "/Radiohead/OK Computer/02 - Paranoid Android.flac"), walk(tree).keySet());
        assertEquals(3, tree.trackCount());
        assertEquals(5, tree.directoryCount());
        Node airbag = tree.lookup("/Radiohead/OK Computer/01 - Airbag.flac");
        assertEquals(2, airbag.inode());
        assertEquals(1002, airbag.size());
        assertEquals("Radiohead/OK Computer/1.flac", airbag.track().path());
        assertEquals("nas", airbag.track().originId());
    }

    @Test
    void rootIsInodeOneAndNamedEmpty() {
        TreeSnapshot empty = DEFAULT.build(List.of(), SAME_PRIORITY);
        assertEquals(1, empty.root().inode());
        assertEquals("", empty.root().name());
        assertTrue(empty.root().isDirectory());
        assertEquals(0, empty.trackCount());
        assertEquals(1, empty.directoryCount());
        assertSame(empty.root(), empty.lookup("/"));
        assertEquals(List.of(), empty.children(empty.root()));
    }

    @Test
    void lookupFindsEveryNodeAndNothingElse() {
        List<CatalogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            entries.add(song(i + 2, "Artist " + i % 7, "Album " + i % 11, i % 13 + 1, "Song " + i));
        }
        TreeSnapshot tree = DEFAULT.build(entries, SAME_PRIORITY);
        Map<String, Node> all = walk(tree);
        assertEquals(300 + tree.directoryCount(), all.size());
        all.forEach((path, node) -> assertSame(node, tree.lookup(path), path));

        assertNull(tree.lookup("/Artist 1/Album 1/01 - Nothing.flac"));
        assertNull(tree.lookup("/artist 1"), "lookup is exact; the tree already merged case variants");
        assertNull(tree.lookup("Artist 1"), "relative");
        assertNull(tree.lookup(""));
        assertNull(tree.lookup("/Artist 1/"), "trailing slash");
        assertNull(tree.lookup("//Artist 1"));
        String track = all.keySet().stream().filter(p -> p.endsWith(".flac")).findFirst().orElseThrow();
        assertNull(tree.lookup(track + "/x"), "below a file");
        assertEquals(List.of(), tree.children(tree.lookup(track)));
    }

    @Test
    void childrenAreListedIgnoringCaseThenByCodePoints() {
        TreeSnapshot tree = DEFAULT.build(List.of(song(2, "abba", "x", 1, "t"), song(3, "Zappa", "x", 1, "t"),
                song(4, "AC-DC", "x", 1, "t"), song(5, "\uD83C\uDFB5 Emoji", "x", 1, "t"),
                song(6, "\uFF21 fullwidth", "x", 1, "t")), SAME_PRIORITY);
        assertEquals(List.of("abba", "AC-DC", "Zappa", "\uFF21 fullwidth", "\uD83C\uDFB5 Emoji"),
                tree.children(tree.root()).stream().map(Node::name).toList());
        assertThrows(UnsupportedOperationException.class, () -> tree.children(tree.root()).clear());
    }

    @Test
    void caseVariantsOfAFolderMergeUnderTheMajoritySpelling() {
        List<CatalogEntry> entries = List.of(song(2, "The Beatles", "Abbey Road", 1, "Come Together"),
                song(3, "The Beatles", "Abbey Road", 2, "Something"),
                song(4, "the beatles", "abbey road", 3, "Maxwell's Silver Hammer"),
                song(5, "THE BEATLES ", "Help!", 1, "Help!"),
                song(6, "The Beatles", "HELP!", 2, "The Night Before"),
                song(7, "the beatles", "help!", 3, "You've Got to Hide Your Love Away"));
        TreeSnapshot tree = DEFAULT.build(entries, SAME_PRIORITY);
        assertEquals(List.of("The Beatles"), tree.children(tree.root()).stream().map(Node::name).toList());
        Node beatles = tree.lookup("/The Beatles");
        assertEquals(List.of("Abbey Road", "HELP!"), tree.children(beatles).stream().map(Node::name).toList(),
                "Help!/HELP!/help! is a tie broken by code points");
        assertEquals(3, tree.children(tree.lookup("/The Beatles/Abbey Road")).size());
        assertEquals(3, tree.children(tree.lookup("/The Beatles/HELP!")).size());
    }

    @Test
    void majorityCountsTracksNotAlbums() {
        List<CatalogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(song(2 + i, "the beatles", "Let It Be", i + 1, "Song " + i));
        }
        for (int i = 0; i < 3; i++) {
            entries.add(song(20 + i, "The Beatles", "Single " + i, 1, "A side"));
        }
        TreeSnapshot tree = DEFAULT.build(entries, SAME_PRIORITY);
        assertEquals("the beatles", tree.children(tree.root()).get(0).name());
    }

    @Test
    void collidingFileNamesGetSuffixesInPrecedenceOrderWhateverTheInputOrder() {
        Map<String, Integer> priority = Map.of("s3", 0, "nas", 1, "sftp", 1);
        List<CatalogEntry> entries = List.of(
                titled(2, "nas", "b/intro.flac", "Album", "Intro"),
                titled(3, "nas", "a/intro.flac", "Album", "Intro"),
                titled(4, "s3", "z/intro.flac", "Album", "intro"),
                titled(5, "sftp", "a/intro.flac", "Album", "INTRO"),
                titled(6, "nas", "A/intro.flac", "Album", "Intro"));
        Map<Long, String> expected = Map.of(
                4L, "/Album/intro.flac", // lowest priority number first
                6L, "/Album/Intro (2).flac", // then origin id, then path by code points: "A/" < "a/" < "b/"
                3L, "/Album/Intro (3).flac",
                2L, "/Album/Intro (4).flac",
                5L, "/Album/INTRO (5).flac");
        for (long seed = 0; seed < 20; seed++) {
            TreeSnapshot tree = BY_ALBUM.build(shuffled(entries, seed), priority::get);
            assertEquals(expected, trackPaths(tree), "seed " + seed);
        }
    }

    @Test
    void suffixSkipsNamesThatOtherFilesAlreadyHave() {
        List<CatalogEntry> entries = List.of(titled(2, "o", "1.flac", "A", "Intro"),
                titled(3, "o", "2.flac", "A", "Intro"), titled(4, "o", "3.flac", "A", "Intro (2)"),
                titled(5, "o", "4.flac", "A", "Intro (2)"));
        for (long seed = 0; seed < 10; seed++) {
            assertEquals(Map.of(2L, "/A/Intro.flac", 3L, "/A/Intro (3).flac", 4L, "/A/Intro (2).flac",
                    5L, "/A/Intro (2) (2).flac"), trackPaths(BY_ALBUM.build(shuffled(entries, seed), SAME_PRIORITY)));
        }
    }

    @Test
    void folderKeepsItsNameWhenAFileWouldHaveIt() {
        TreeBuilder mixed = new TreeBuilder(new LibraryLayout("{artist}/{title}", "{artist}/{album}/{title}.{ext}",
                LibraryLayout.UNTAGGED_PATTERN));
        TreeSnapshot tree = mixed.build(List.of(
                entry(2, "o", "a.flac", 5, tags().artist("X").title("Live").build()),
                entry(3, "o", "b.flac", 5, tags().artist("X").album("live").title("Song").compilation().build())),
                SAME_PRIORITY);
        assertTrue(tree.lookup("/X/live").isDirectory());
        assertEquals(2, tree.lookup("/X/Live (2)").inode());
    }

    @Test
    void suffixedNameStillFitsIn255Bytes() {
        String longTitle = "\u97f3".repeat(100);
        TreeSnapshot tree = BY_ALBUM.build(List.of(titled(2, "o", "1.flac", "A", longTitle),
                titled(3, "o", "2.flac", "A", longTitle)), SAME_PRIORITY);
        List<String> names = tree.children(tree.lookup("/A")).stream().map(Node::name).toList();
        assertEquals(2, names.size());
        for (String name : names) {
            assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255, name);
        }
        assertTrue(names.stream().anyMatch(n -> n.endsWith("\u97f3 (2).flac")), names.toString());
    }

    @Test
    void inodesAreStableAcrossBuildsAndInputOrder() {
        List<CatalogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            entries.add(song(i + 2, "Artist " + i % 17, "Album " + i % 23, i % 9 + 1, "Song " + i % 40));
        }
        Map<String, Long> first = new LinkedHashMap<>();
        walk(DEFAULT.build(entries, SAME_PRIORITY)).forEach((path, node) -> first.put(path, node.inode()));
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, Long> again = new LinkedHashMap<>();
            walk(DEFAULT.build(shuffled(entries, seed), SAME_PRIORITY)).forEach((p, n) -> again.put(p, n.inode()));
            assertEquals(first, again, "seed " + seed);
        }
        Set<Long> distinct = new HashSet<>(first.values());
        assertEquals(first.size(), distinct.size(), "every node has its own inode");
        walk(DEFAULT.build(entries, SAME_PRIORITY)).forEach((path, node) -> {
            if (node.isDirectory() && !path.equals("/")) {
                assertTrue(node.inode() >= DirectoryInodes.DIRECTORY_BIT, path);
            } else if (!node.isDirectory()) {
                assertEquals(node.track().fileId(), node.inode());
            }
        });
    }

    @Test
    void folderKeepsItsInodeWhenItsMajoritySpellingChanges() {
        List<CatalogEntry> before = List.of(song(2, "The Beatles", "Help!", 1, "Help!"),
                song(3, "The Beatles", "Help!", 2, "The Night Before"), song(4, "the beatles", "help!", 3, "Ticket"));
        List<CatalogEntry> after = new ArrayList<>(before);
        after.add(song(5, "the beatles", "help!", 4, "Act Naturally"));
        after.add(song(6, "the beatles", "help!", 5, "Yesterday"));
        TreeSnapshot one = DEFAULT.build(before, SAME_PRIORITY);
        TreeSnapshot two = DEFAULT.build(after, SAME_PRIORITY);
        assertNull(two.lookup("/The Beatles"));
        assertEquals(one.lookup("/The Beatles").inode(), two.lookup("/the beatles").inode());
        assertEquals(one.lookup("/The Beatles/Help!").inode(), two.lookup("/the beatles/help!").inode());
        assertNotEquals(one.lookup("/The Beatles").inode(), one.lookup("/The Beatles/Help!").inode());
    }

    @Test
    void directoryMtimeIsTheNewestBelowIt() {
        TreeSnapshot tree = DEFAULT.build(List.of(
                entry(2, "o", "1.flac", 100, tags().artist("A").album("X").title("1").build()),
                entry(3, "o", "2.flac", 300, tags().artist("A").album("X").title("2").build()),
                entry(4, "o", "3.flac", 200, tags().artist("A").album("Y").title("3").build()),
                entry(5, "o", "4.flac", 50, tags().artist("B").album("Z").title("4").build())), SAME_PRIORITY);
        assertEquals(300, tree.lookup("/A/X").mtimeMillis());
        assertEquals(200, tree.lookup("/A/Y").mtimeMillis());
        assertEquals(300, tree.lookup("/A").mtimeMillis());
        assertEquals(50, tree.lookup("/B").mtimeMillis());
        assertEquals(300, tree.root().mtimeMillis());
        assertEquals(200, tree.lookup("/A/Y/3.flac").mtimeMillis());
        assertEquals(0, tree.lookup("/A").size());
        assertNull(tree.lookup("/A").track());
    }

    @Test
    void originIdIsSharedBetweenTracks() {
        TreeSnapshot tree = DEFAULT.build(List.of(
                entry(2, new String("nas".toCharArray()), "1.flac", 1, tags().title("1").build()),
                entry(3, new String("nas".toCharArray()), "2.flac", 1, tags().title("2").build())), SAME_PRIORITY);
        List<Node> tracks = tree.children(tree.lookup("/Unknown Artist/Unknown Album"));
        assertSame(tracks.get(0).track().originId(), tracks.get(1).track().originId());
    }

    @Test
    void fileIdsThatCannotBeInodesAreRefused() {
        for (long bad : new long[] {0, 1, -5, DirectoryInodes.DIRECTORY_BIT}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DEFAULT.build(List.of(song(bad, "A", "B", 1, "C")), SAME_PRIORITY));
            assertTrue(e.getMessage().contains("file id " + bad), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> DEFAULT.build(List.of(song(9, "A", "B", 1, "C"), song(9, "A", "B", 2, "D")), SAME_PRIORITY));
        assertTrue(twice.getMessage().contains("file id 9 is catalogued twice"), twice.getMessage());
    }
}
