package io.musicfs.catalog.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogDbTest {

    @TempDir
    Path dir;

    static TrackTags tags(String title) {
        return new TrackTags("AA", "Artist", "Album", title, 3, 12, 1, 2, "1997", "Rock", "Composer", true, "FLAC");
    }

    static FileWrite write(String path, long size, String title) {
        return new FileWrite(new OriginEntry(path, size, 1_000L * size, null), tags(title), TagState.READ, 1, null);
    }

    @Test
    void filesPersistAcrossReopenWithStableIds() throws IOException {
        Path db = dir.resolve("catalog");
        List<CatalogEntry> first;
        try (CatalogDb catalog = CatalogDb.open(db)) {
            first = catalog.upsert("o1", List.of(write("a/1.flac", 10, "One"), write("a/2.flac", 20, "Two"),
                    write("b/3.flac", 30, "Three")), 1, null);
            assertEquals(3, first.stream().map(CatalogEntry::fileId).distinct().count());
        }
        try (CatalogDb catalog = CatalogDb.open(db)) {
            assertEquals(first, catalog.loadAll());
            // a changed version keeps its id, a new path gets a new one
            List<CatalogEntry> again = catalog.upsert("o1", List.of(write("a/2.flac", 21, "Two v2"),
                    write("c/4.flac", 40, "Four")), 2, null);
            assertEquals(first.get(1).fileId(), again.get(0).fileId());
            assertTrue(again.get(1).fileId() > first.get(2).fileId());
            // the same path on another origin is another file
            CatalogEntry other = catalog.upsert("o2", List.of(write("a/1.flac", 10, "One")), 1, null).get(0);
            assertNotEquals(first.get(0).fileId(), other.fileId());
        }
        try (CatalogDb catalog = CatalogDb.open(db)) {
            assertEquals(5, catalog.fileCount());
            CatalogEntry two = catalog.find("o1", "a/2.flac").orElseThrow();
            assertEquals("Two v2", two.tags().title());
            assertEquals(21, two.size());
            assertEquals(first.get(1).fileId(), two.fileId());
            assertEquals(List.of("o1", "o2"), catalog.origins());
            Map<String, StoredFile> ids = catalog.identities("o1");
            assertEquals(4, ids.size());
            assertTrue(ids.get("a/2.flac").sameVersion(new OriginEntry("a/2.flac", 21, 21_000, null)));
            assertFalse(ids.get("a/2.flac").sameVersion(new OriginEntry("a/2.flac", 21, 21_001, null)));
        }
    }

    @Test
    void unreadableFilesAreStoredWithoutTags() throws IOException {
        try (CatalogDb catalog = CatalogDb.open(dir.resolve("catalog"))) {
            catalog.upsert("o", List.of(new FileWrite(new OriginEntry("bad.mp3", 5, 5, "etag-1"), TrackTags.NONE,
                    TagState.UNREADABLE, 1, "it is empty")), 1, null);
            CatalogEntry e = catalog.loadAll().get(0);
            assertEquals(TrackTags.NONE, e.tags());
            assertEquals("etag-1", e.etag());
            assertEquals(TagState.UNREADABLE, catalog.identities("o").get("bad.mp3").tagState());
        }
    }

    @Test
    void longUnicodePathsRoundTrip() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[] pieces = {"日本語の曲名", "Ünïcødé", "🎵🎶", "plain ascii ", "Ελληνικά"};
        Random r = new Random(5);
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 4000) {
            sb.append(pieces[r.nextInt(pieces.length)]).append(r.nextInt(3) == 0 ? "/" : "");
        }
        String path = sb + ".flac";
        assertTrue(path.getBytes(StandardCharsets.UTF_8).length >= 4000);
        try (CatalogDb catalog = CatalogDb.open(dir.resolve("catalog"))) {
            long id = catalog.upsert("o", List.of(write(path, 1, "Long")), 1, null).get(0).fileId();
            assertEquals(id, catalog.find("o", path).orElseThrow().fileId());
            assertTrue(catalog.identities("o").containsKey(path));
            assertEquals(path, catalog.loadAll().get(0).path());
            assertTrue(catalog.find("o", path.substring(1)).isEmpty());
            // re-upserting the same path updates, never duplicates
            catalog.upsert("o", List.of(write(path, 2, "Long")), 2, null);
            assertEquals(1, catalog.fileCount());
            String tooLong = "x".repeat(CatalogDb.MAX_PATH_CHARS + 1);
            assertThrows(IllegalArgumentException.class, () -> catalog.upsert("o", List.of(write(tooLong, 1, "x")), 1, null));
        }
    }

    @Test
    void deleteRemovesFilesAndTheirManifests() throws IOException {
        try (CatalogDb catalog = CatalogDb.open(dir.resolve("catalog"))) {
            List<CatalogEntry> e = catalog.upsert("o", List.of(write("1.flac", 10, "1"), write("2.flac", 10, "2")), 1, null);
            catalog.manifests().recordChunk(e.get(0).trackFile(), 4, 0, 42);
            assertEquals(1, catalog.delete(List.of(e.get(0).fileId()), null));
            assertEquals(1, catalog.fileCount());
            assertEquals(0, countRows(catalog, "manifest_chunks"));
            assertEquals(0, countRows(catalog, "manifests"));
            assertEquals(1, catalog.removeOrigin("o"));
            assertEquals(0, catalog.fileCount());
            assertEquals(List.of(), catalog.origins());
        }
    }

    @Test
    void checkpointsAndGenerationsPersist() throws IOException {
        Path db = dir.resolve("catalog");
        try (CatalogDb catalog = CatalogDb.open(db)) {
            assertTrue(catalog.checkpoint("o").isEmpty());
            SyncCheckpoint cp = catalog.beginSync("o", 123);
            assertEquals(1, cp.generation());
            assertFalse(cp.complete());
            cp = cp.plusBatch(5, 1, 2, 1000);
            catalog.upsert("o", List.of(write("1.flac", 1, "1")), cp.generation(), cp);
        }
        try (CatalogDb catalog = CatalogDb.open(db)) {
            SyncCheckpoint cp = catalog.checkpoint("o").orElseThrow();
            assertEquals(new SyncCheckpoint("o", 1, false, 123, 1, 5, 1, 0, 2, 1000), cp);
            catalog.delete(List.of(), cp.finished(3));
            assertTrue(catalog.checkpoint("o").orElseThrow().complete());
            assertEquals(3, catalog.checkpoint("o").orElseThrow().removed());
            assertEquals(2, catalog.beginSync("o", 456).generation());
        }
    }

    @Test
    void loadAllOfTwentyThousandFilesIsFast() throws IOException {
        try (CatalogDb catalog = CatalogDb.open(dir.resolve("catalog"))) {
            long t0 = System.nanoTime();
            for (int batch = 0; batch < 100; batch++) {
                List<FileWrite> writes = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    writes.add(write("Artist " + batch + "/Album/" + i + " - Title.flac", 1000 + i, "Title " + i));
                }
                catalog.upsert("o", writes, 1, null);
            }
            long t1 = System.nanoTime();
            List<CatalogEntry> all = catalog.loadAll();
            long t2 = System.nanoTime();
            Map<String, StoredFile> ids = catalog.identities("o");
            long t3 = System.nanoTime();
            assertEquals(20_000, all.size());
            assertEquals(20_000, ids.size());
            System.out.printf("CatalogDb: 20000 upserts in 100 transactions %d ms, loadAll %d ms, identities %d ms%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
            assertTrue(t2 - t1 < 5_000_000_000L, "loadAll took " + (t2 - t1) / 1_000_000 + " ms");
        }
        long t0 = System.nanoTime();
        try (CatalogDb catalog = CatalogDb.open(dir.resolve("catalog"))) {
            System.out.printf("CatalogDb: reopen with the check of 20000 rows %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertEquals(20_000, catalog.fileCount());
        }
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefused() throws IOException {
        try (CatalogDb catalog = CatalogDb.open(dir.resolve("catalog"))) {
            IOException e = assertThrows(IOException.class, () -> CatalogDb.open(dir.resolve("catalog")));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
        CatalogDb.open(dir.resolve("catalog")).close();
    }

    @Test
    void garbageInServicePropertiesSetsTheDatabaseAsideAndStartsFresh() throws IOException {
        Path db = populated();
        Files.writeString(db.resolve("service.properties"), "\u0000garbage\u0001=\\u12 not properties at all");
        assertReplacedByFreshDatabase(db);
    }

    @Test
    void overwrittenSegmentFilesSetTheDatabaseAsideAndStartFresh() throws IOException {
        Path db = populated();
        Random r = new Random(9);
        try (Stream<Path> files = Files.list(db.resolve("seg0"))) {
            for (Path f : files.toList()) {
                byte[] garbage = new byte[(int) Files.size(f)];
                r.nextBytes(garbage);
                Files.write(f, garbage);
            }
        }
        assertReplacedByFreshDatabase(db);
    }

    @Test
    void aDirectoryThatIsNotADatabaseIsSetAside() throws IOException {
        Path db = Files.createDirectories(dir.resolve("catalog"));
        Files.writeString(db.resolve("something.txt"), "not derby");
        assertReplacedByFreshDatabase(db);
    }

    @Test
    void anEmptyDirectoryBecomesTheDatabase() throws IOException {
        Path db = Files.createDirectories(dir.resolve("catalog"));
        try (CatalogDb catalog = CatalogDb.open(db)) {
            assertEquals(0, catalog.fileCount());
        }
        assertEquals(List.of("catalog"), siblings());
    }

    @Test
    void derbyLogGoesNextToTheDatabase() throws IOException {
        CatalogDb.open(dir.resolve("catalog")).close();
        String configured = System.getProperty("derby.stream.error.file");
        assertTrue(configured != null && configured.endsWith("derby.log"), configured);
    }

    private Path populated() throws IOException {
        Path db = dir.resolve("catalog");
        try (CatalogDb catalog = CatalogDb.open(db)) {
            List<FileWrite> writes = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                writes.add(write("f" + i + ".flac", i, "T" + i));
            }
            catalog.upsert("o", writes, 1, null);
        }
        return db;
    }

    private void assertReplacedByFreshDatabase(Path db) throws IOException {
        try (CatalogDb catalog = CatalogDb.open(db)) {
            assertEquals(0, catalog.fileCount(), "a fresh database");
            catalog.upsert("o", List.of(write("new.flac", 1, "New")), 1, null);
        }
        List<String> names = siblings();
        assertEquals(2, names.size(), names.toString());
        assertTrue(names.get(1).startsWith("catalog.corrupt-"), names.toString());
        try (CatalogDb catalog = CatalogDb.open(db)) {
            assertEquals(1, catalog.fileCount(), "the fresh database is kept on the next open");
        }
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("catalog")).sorted().toList();
        }
    }

    static int countRows(CatalogDb catalog, String table) throws IOException {
        return catalog.transaction("counting", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
