package io.musicfs.catalog.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;
import io.musicfs.catalog.internal.db.CatalogDb;
import io.musicfs.catalog.internal.db.TagState;
import io.musicfs.catalog.internal.tags.DirectoryOrigin;
import io.musicfs.catalog.internal.tags.TagReader;
import io.musicfs.catalog.internal.tags.TestAudio;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginSyncTest {

    @TempDir
    static Path shared;
    static Path sine;

    @TempDir
    Path dir;
    Path music;
    DirectoryOrigin origin;
    CatalogDb db;
    TagReader reader;
    OriginSync sync;
    final List<CatalogEntry> written = new CopyOnWriteArrayList<>();
    final List<Long> removedIds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void audio() throws IOException {
        sine = TestAudio.sourceWav(shared, "sine.wav", 0.5, false);
    }

    @BeforeEach
    void open() throws IOException {
        music = Files.createDirectories(dir.resolve("music"));
        origin = new DirectoryOrigin("nas", music);
        reader = new TagReader(dir.resolve("work"));
        db = CatalogDb.open(dir.resolve("catalog"));
        sync = newSync(OriginSync.Options.defaults(), OriginSync.Hooks.NONE);
    }

    @AfterEach
    void close() {
        sync.close();
        db.close();
    }

    OriginSync newSync(OriginSync.Options options, OriginSync.Hooks hooks) {
        return new OriginSync(db, reader, options, (o, w, r) -> {
            written.addAll(w);
            removedIds.addAll(r);
        }, hooks);
    }

    Path flac(String path, String title) throws IOException {
        Path p = music.resolve(path);
        Files.createDirectories(p.getParent());
        return TestAudio.flac(sine, p, "TITLE=" + title, "ARTIST=Artist", "ALBUM=Album", "TRACKNUMBER=3/12");
    }

    Map<String, CatalogEntry> catalogued() throws IOException {
        return db.loadAll().stream().collect(Collectors.toMap(CatalogEntry::path, Function.identity()));
    }

    @Test
    void firstSyncListsAudioFilesOnlyAndStoresUnreadableOnesUntagged() throws IOException {
        flac("A/Album/01.flac", "One");
        flac("A/Album/02.FLAC", "Two");
        Files.write(music.resolve("A/Album/bad.mp3"), random(50_000));
        Files.write(music.resolve("A/Album/cover.jpg"), random(1000));
        Files.writeString(music.resolve("notes.txt"), "not audio");
        flac(".hidden/x.flac", "Hidden folder");
        flac("A/.dot.flac", "Hidden file");
        flac("A/.git/deep/y.flac", "Hidden deep");

        SyncSummary s = sync.sync(origin);
        assertEquals(3, s.listed());
        assertEquals(3, s.added());
        assertEquals(1, s.unreadable());
        assertEquals(0, s.removed());
        assertTrue(s.complete());
        assertFalse(s.resumed());
        assertTrue(s.bytesFetched() > 0);
        Map<String, CatalogEntry> all = catalogued();
        assertEquals(Set.of("A/Album/01.flac", "A/Album/02.FLAC", "A/Album/bad.mp3"), all.keySet());
        assertEquals("One", all.get("A/Album/01.flac").tags().title());
        assertEquals(12, all.get("A/Album/01.flac").tags().trackTotal());
        assertEquals(TrackTags.NONE, all.get("A/Album/bad.mp3").tags());
        assertEquals(3, written.size(), "the listener saw every write");
    }

    @Test
    void anUnchangedLibraryIsNotReadAgainAndUnreadableFilesAreLoggedOnce() throws IOException {
        flac("01.flac", "One");
        Files.write(music.resolve("bad.mp3"), random(10_000));
        String firstLog = capturingStderr(() -> sync.sync(origin));
        assertEquals(1, count(firstLog, "cannot read the tags of bad.mp3"), firstLog);

        origin.resetCounters();
        String secondLog = capturingStderr(() -> {
            SyncSummary s = sync.sync(origin);
            assertEquals(0, s.added() + s.changed() + s.removed());
            assertEquals(2, s.unchanged());
            assertEquals(0, s.unreadable());
        });
        assertEquals(0, count(secondLog, "cannot read the tags"), secondLog);
        assertEquals(0, origin.reads(), "nothing is read for an unchanged library");
    }

    @Test
    void changedFilesKeepTheirIdsAndRemovedFilesGo() throws IOException {
        flac("01.flac", "One");
        flac("02.flac", "Two");
        sync.sync(origin);
        Map<String, CatalogEntry> before = catalogued();

        flac("01.flac", "One, retagged");
        Files.setLastModifiedTime(music.resolve("01.flac"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Files.delete(music.resolve("02.flac"));
        flac("03.flac", "Three");
        SyncSummary s = sync.sync(origin);
        assertEquals(1, s.added());
        assertEquals(1, s.changed());
        assertEquals(1, s.removed());
        assertEquals(2, s.generation());
        Map<String, CatalogEntry> after = catalogued();
        assertEquals(Set.of("01.flac", "03.flac"), after.keySet());
        assertEquals(before.get("01.flac").fileId(), after.get("01.flac").fileId());
        assertEquals("One, retagged", after.get("01.flac").tags().title());
        assertEquals(List.of(before.get("02.flac").fileId()), removedIds);
    }

    @Test
    void anUnreachableOriginFailsWithItsNameAndRemovesNothing() throws IOException {
        flac("01.flac", "One");
        flac("02.flac", "Two");
        sync.sync(origin);
        Files.delete(music.resolve("02.flac"));

        origin.walkFailure = "host nas.local unreachable";
        SyncFailedException e = assertThrows(SyncFailedException.class, () -> sync.sync(origin));
        assertTrue(e.getMessage().contains("nas") && e.getMessage().contains("unreachable"), e.getMessage());
        assertEquals("nas", e.originId());
        assertEquals(2, db.fileCount());

        origin.walkFailure = null;
        origin.walkFailsAfter = 0; // the listing breaks off half-way
        assertThrows(SyncFailedException.class, () -> sync.sync(origin));
        assertEquals(2, db.fileCount());

        origin.walkFailsAfter = -1;
        SyncSummary s = sync.sync(origin);
        assertEquals(1, s.removed(), "once the walk succeeds, the deleted file goes");
        assertEquals(1, db.fileCount());
    }

    @Test
    void anOriginThatSuddenlyListsNothingIsNotEmptied() throws IOException {
        flac("a/01.flac", "One");
        flac("a/02.flac", "Two");
        sync.sync(origin);
        deleteTree(music.resolve("a")); // what an unmounted disk looks like: an empty mount point
        SyncSummary s = sync.sync(origin);
        assertFalse(s.complete());
        assertEquals(0, s.removed());
        assertEquals(2, db.fileCount());
        flac("b/03.flac", "Three"); // back with other content: now removal is trusted again
        s = sync.sync(origin);
        assertEquals(2, s.removed());
        assertEquals(Set.of("b/03.flac"), catalogued().keySet());
    }

    @Test
    void aPartialWalkKeepsWhatItCouldNotListAndRemovesTheRest() throws IOException {
        // A part that cannot be listed (a folder without permission, a link loop) may stay that way
        // for good: it must not stop removals elsewhere, and must not lose what it held.
        flac("a/01.flac", "One");
        flac("b/02.flac", "Two");
        flac("b/sub/04.flac", "Four");
        sync.sync(origin);
        Files.delete(music.resolve("a/01.flac"));
        flac("c/03.flac", "Three");
        origin.problemPaths.add("b");
        SyncSummary s = sync.sync(origin);
        assertFalse(s.complete());
        assertEquals(1, s.added());
        assertEquals(1, s.removed());
        assertEquals(Set.of("b/02.flac", "b/sub/04.flac", "c/03.flac"), catalogued().keySet());
    }

    @Test
    void aKilledSyncResumesAndCountsEveryFileOnce() throws IOException {
        byte[] one = Files.readAllBytes(flac("seed.flac", "Seed"));
        Files.delete(music.resolve("seed.flac"));
        for (int i = 0; i < 57; i++) {
            Files.write(Files.createDirectories(music.resolve("album" + (i / 10))).resolve("track" + i + ".flac"), one);
        }
        OriginSync.Options small = new OriginSync.Options(3, 10, Duration.ofSeconds(10), Duration.ofSeconds(10), 10,
                Duration.ofSeconds(5));
        RuntimeException kill = new RuntimeException("simulated kill -9 after batch 3");
        sync.close();
        sync = newSync(small, new OriginSync.Hooks() {
            @Override
            public void afterBatchCommitted(String originId, int batch) {
                if (batch == 3) {
                    throw kill;
                }
            }
        });
        assertEquals(kill, assertThrows(RuntimeException.class, () -> sync.sync(origin)));
        sync.close();
        db.close();
        assertEquals(30, written.size(), "three batches were committed before the kill");

        db = CatalogDb.open(dir.resolve("catalog"));
        assertEquals(30, db.fileCount());
        sync = newSync(small, OriginSync.Hooks.NONE);
        SyncSummary s = sync.sync(origin);
        assertTrue(s.resumed());
        assertEquals(1, s.generation(), "the resumed sync continues the killed generation");
        assertEquals(57, s.added(), "every file counted once over both runs");
        assertEquals(30, s.unchanged(), "the committed files are not read again");
        assertEquals(57, db.fileCount());
        assertEquals(57, written.stream().map(CatalogEntry::path).distinct().count());
        assertEquals(57, written.size(), "no file written twice");

        SyncSummary next = sync.sync(origin);
        assertFalse(next.resumed());
        assertEquals(2, next.generation());
        assertEquals(0, next.added());
    }

    @Test
    void filesTheOriginFailsToDeliverAreListedAndRetried() throws IOException {
        flac("01.flac", "One");
        flac("02.flac", "Two");
        origin.readFailure = "connection reset";
        SyncSummary s = sync.sync(origin);
        assertEquals(2, s.added());
        assertEquals(2, s.failed());
        assertEquals(Set.of("01.flac", "02.flac"), catalogued().keySet(), "listed (untagged) anyway");
        assertEquals(TagState.PENDING, db.identities("nas").get("01.flac").tagState());

        origin.readFailure = null;
        s = sync.sync(origin);
        assertEquals(2, s.changed(), "retried and read");
        assertEquals("One", catalogued().get("01.flac").tags().title());
        assertEquals(TagState.READ, db.identities("nas").get("01.flac").tagState());
    }

    @Test
    void anOriginThatStopsAnsweringStopsTheSyncWithoutRemovingAnything() throws IOException {
        for (int i = 0; i < 6; i++) {
            flac(i + ".flac", "T" + i);
        }
        sync.sync(origin);
        for (int i = 6; i < 30; i++) {
            flac(i + ".flac", "T" + i);
        }
        Files.delete(music.resolve("0.flac"));
        sync.close();
        sync = newSync(new OriginSync.Options(2, 5, Duration.ofSeconds(5), Duration.ofSeconds(5), 4,
                Duration.ofSeconds(1)), OriginSync.Hooks.NONE);
        DirectoryOrigin dying = new DirectoryOrigin("nas", music) {
            @Override
            public int read(String path, long offset, ByteBuffer dst) throws IOException {
                walkFailure = "gone"; // the first read kills it: reads and probes fail from now on
                throw new IOException("origin nas: connection refused");
            }
        };
        SyncFailedException e = assertThrows(SyncFailedException.class, () -> sync.sync(dying));
        assertTrue(e.getMessage().contains("origin nas stopped"), e.getMessage());
        assertTrue(catalogued().containsKey("0.flac"), "nothing removed");
    }

    @Test
    void aHangingReadIsGivenUpAtItsDeadline() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            flac("01.flac", "One");
            flac("02.flac", "Two");
            sync.close();
            sync = newSync(new OriginSync.Options(2, 200, Duration.ofMillis(300), Duration.ofMillis(300), 10,
                    Duration.ofSeconds(1)), OriginSync.Hooks.NONE);
            DirectoryOrigin hanging = new DirectoryOrigin("nas", music) {
                @Override
                public int read(String path, long offset, ByteBuffer dst) throws IOException {
                    if (path.equals("02.flac")) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException("interrupted");
                        }
                    }
                    return super.read(path, offset, dst);
                }
            };
            SyncSummary s = sync.sync(hanging);
            assertEquals(2, s.added());
            assertEquals(1, s.failed());
            assertEquals("One", catalogued().get("01.flac").tags().title());
        });
    }

    @Test
    void syncPathsAddsChangesAndRemoves() throws IOException {
        flac("A/01.flac", "One");
        flac("A/02.flac", "Two");
        flac("B/03.flac", "Three");
        sync.sync(origin);
        Map<String, CatalogEntry> before = catalogued();

        flac("A/04.flac", "Four");
        flac("A/01.flac", "One v2");
        Files.setLastModifiedTime(music.resolve("A/01.flac"), java.nio.file.attribute.FileTime.fromMillis(2_000_000));
        Files.delete(music.resolve("A/02.flac"));
        DeltaSummary d = sync.syncPaths(origin, List.of("/A/04.flac", "A/01.flac", "A/02.flac", "A/cover.jpg",
                "A/.hidden.flac"));
        assertEquals(new DeltaSummary(1, 1, 1, 0, 0, d.bytesFetched(), false), d);
        Map<String, CatalogEntry> after = catalogued();
        assertEquals(Set.of("A/01.flac", "A/04.flac", "B/03.flac"), after.keySet());
        assertEquals("One v2", after.get("A/01.flac").tags().title());
        assertEquals(before.get("A/01.flac").fileId(), after.get("A/01.flac").fileId());

        // a folder that went away: its catalogued files go; a folder advises a walk
        deleteTree(music.resolve("B"));
        d = sync.syncPaths(origin, List.of("B"));
        assertEquals(1, d.removed());
        assertTrue(d.walkAdvised());
        assertNull(catalogued().get("B/03.flac"));

        // nothing changed: nothing read
        origin.resetCounters();
        d = sync.syncPaths(origin, List.of("A/01.flac"));
        assertEquals(new DeltaSummary(0, 0, 0, 0, 0, 0, false), d);
        assertEquals(0, origin.reads());
    }

    @Test
    void originsSyncInParallelAndEachKeepsItsOwnFiles() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        flac("01.flac", "Here");
        TestAudio.flac(sine, other.resolve("01.flac"), "TITLE=There");
        DirectoryOrigin second = new DirectoryOrigin("usb", other);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> sync.sync(origin));
            var b = pool.submit(() -> sync.sync(second));
            assertEquals(1, a.get().added());
            assertEquals(1, b.get().added());
        } finally {
            pool.shutdownNow();
        }
        Map<String, String> titles = new HashMap<>();
        for (CatalogEntry e : db.loadAll()) {
            titles.put(e.originId(), e.tags().title());
        }
        assertEquals(Map.of("nas", "Here", "usb", "There"), titles);
    }

    // ---------------------------------------------------------------------------------------------

    interface IoAction {
        void run() throws IOException;
    }

    static String capturingStderr(IoAction action) throws IOException {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String s = out.toString(StandardCharsets.UTF_8);
        original.print(s);
        return s;
    }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static void deleteTree(Path p) throws IOException {
        List<Path> all = new ArrayList<>();
        try (var s = Files.walk(p)) {
            s.forEach(all::add);
        }
        java.util.Collections.reverse(all);
        for (Path x : all) {
            Files.delete(x);
        }
    }
}
