package io.musicfs.catalog.internal.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerbyManifestStoreTest {

    static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;
    CatalogDb catalog;
    ManifestStore store;

    @BeforeEach
    void open() throws IOException {
        catalog = CatalogDb.open(dir.resolve("catalog"));
        store = catalog.manifests();
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    @Test
    void aSixtyFourMegabyteFileAtOneMebibyteChunksIsSixtyFourRows() throws IOException {
        TrackFile file = new TrackFile(7, "o", "big.flac", 64L * MIB, 1000, "e1");
        Manifest empty = store.load(file, MIB);
        assertEquals(64, empty.hashes().length);
        assertArrayEquals(new long[64], empty.hashes());
        for (int i = 0; i < 64; i++) {
            store.recordChunk(file, MIB, i, 1000 + i);
        }
        store.recordChunk(file, MIB, 5, 5555); // re-recording replaces
        assertEquals(64, CatalogDbTest.countRows(catalog, "manifest_chunks"));
        assertEquals(1, CatalogDbTest.countRows(catalog, "manifests"));
        Manifest m = store.load(file, MIB);
        assertEquals(1000, m.hash(0));
        assertEquals(5555, m.hash(5));
        assertEquals(1063, m.hash(63));
        assertEquals(new Manifest(7, 64L * MIB, 1000, "e1", MIB, m.hashes()), m);

        // One call, one transaction: a chunk recorded before is replaced, the others are added.
        TrackFile other = new TrackFile(8, "o", "other.flac", 4L * MIB, 1000, "e2");
        store.recordChunk(other, MIB, 1, 11);
        store.recordChunks(other, MIB, new int[] {0, 1, 2}, new long[] {20, 21, 22});
        assertArrayEquals(new long[] {20, 21, 22, Manifest.UNKNOWN}, store.load(other, MIB).hashes());
    }

    @Test
    void anotherVersionOfTheFileDropsTheOldManifest() throws IOException {
        TrackFile v1 = new TrackFile(1, "o", "a.flac", 3L * MIB, 1000, null);
        store.recordChunk(v1, MIB, 0, 11);
        store.recordChunk(v1, MIB, 1, 12);
        for (TrackFile v2 : List.of(new TrackFile(1, "o", "a.flac", 3L * MIB, 2000, null),
                new TrackFile(1, "o", "a.flac", 3L * MIB + 1, 1000, null),
                new TrackFile(1, "o", "a.flac", 3L * MIB, 1000, "etag"))) {
            store.recordChunk(v1, MIB, 0, 11);
            assertArrayEquals(new long[Manifest.chunkCount(v2.size(), MIB)], store.load(v2, MIB).hashes(),
                    "a new version starts empty: " + v2);
            assertEquals(0, CatalogDbTest.countRows(catalog, "manifest_chunks"), "old chunks dropped");
            assertEquals(Manifest.UNKNOWN, store.load(v1, MIB).hash(0), "and stay dropped");
        }
        // recording for the new version replaces the old version's rows too
        store.recordChunk(v1, MIB, 0, 11);
        TrackFile v3 = new TrackFile(1, "o", "a.flac", 3L * MIB, 3000, null);
        store.recordChunk(v3, MIB, 2, 33);
        assertArrayEquals(new long[] {0, 0, 33}, store.load(v3, MIB).hashes());
        // another chunk size is another manifest
        assertArrayEquals(new long[6], store.load(v3, MIB / 2).hashes());
        assertEquals(0, CatalogDbTest.countRows(catalog, "manifest_chunks"));
    }

    @Test
    void severalChunksAreRecordedAtOnceAllOrNone() throws IOException {
        TrackFile file = new TrackFile(9, "o", "album.flac", 5L * MIB, 1000, null);
        store.recordChunk(file, MIB, 1, 7); // replaced below
        store.recordChunks(file, MIB, new int[] {0, 1, 3}, new long[] {100, 101, Manifest.UNKNOWN});
        assertArrayEquals(new long[] {100, 101, 0, 0, 0}, store.load(file, MIB).hashes(), "an unknown hash is not recorded");
        assertEquals(2, CatalogDbTest.countRows(catalog, "manifest_chunks"));

        // one index outside the file: nothing of the call is recorded
        assertThrows(IllegalArgumentException.class,
                () -> store.recordChunks(file, MIB, new int[] {2, 5}, new long[] {102, 105}));
        assertThrows(IllegalArgumentException.class, () -> store.recordChunks(file, MIB, new int[] {2}, new long[] {102, 103}));
        assertArrayEquals(new long[] {100, 101, 0, 0, 0}, store.load(file, MIB).hashes());

        // a new version recorded in one call drops the old one's chunks
        TrackFile v2 = new TrackFile(9, "o", "album.flac", 5L * MIB, 2000, null);
        store.recordChunks(v2, MIB, new int[] {4, 2}, new long[] {204, 202});
        assertArrayEquals(new long[] {0, 0, 202, 0, 204}, store.load(v2, MIB).hashes());
        assertEquals(2, CatalogDbTest.countRows(catalog, "manifest_chunks"));
    }

    @Test
    void aReadOfOneFilesManifestNeverWaitsForANearbyFilesRecord() throws Exception {
        DerbyManifestStore manifests = (DerbyManifestStore) store;
        TrackFile recorded = new TrackFile(100, "o", "a.flac", 3L * MIB, 1000, "e");
        store.recordChunk(recorded, MIB, 0, 11);
        long[] nearby = {101, 164, 100 + DerbyManifestStore.STRIPES - 1};
        for (long id : nearby) {
            store.recordChunk(new TrackFile(id, "o", id + ".flac", 3L * MIB, 1000, "e"), MIB, 1, 22); // stored: a load queries
        }
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // another thread in the middle of a record of file 100: it holds that file's lock, as through a commit
            pool.submit(() -> {
                synchronized (manifests.stripe(recorded)) {
                    holding.countDown();
                    release.await();
                }
                return null;
            });
            holding.await();
            for (long id : nearby) {
                TrackFile other = new TrackFile(id, "o", id + ".flac", 3L * MIB, 1000, "e");
                Future<Manifest> load = pool.submit(() -> store.load(other, MIB));
                assertEquals(22, load.get(10, java.util.concurrent.TimeUnit.SECONDS).hash(1), "file " + id);
            }
        } finally {
            release.countDown();
            pool.shutdown();
        }
    }

    @Test
    void outOfRangeChunksAreRefused() {
        TrackFile f = new TrackFile(1, "o", "a.flac", MIB, 1, null);
        assertThrows(IllegalArgumentException.class, () -> store.recordChunk(f, MIB, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> store.recordChunk(f, MIB, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> store.load(f, 0));
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        int files = 8;
        int chunks = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < files * chunks; i++) {
                        int file = (i + thread) % files;
                        int chunk = i / files;
                        TrackFile f = new TrackFile(100 + file, "o", "f" + file, (long) chunks * MIB, 1, null);
                        store.recordChunk(f, MIB, chunk, 1 + file * 1000L + chunk);
                        if (i % 7 == 0) {
                            store.load(f, MIB);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int file = 0; file < files; file++) {
            long[] hashes = store.load(new TrackFile(100 + file, "o", "f" + file, (long) chunks * MIB, 1, null), MIB)
                    .hashes();
            for (int chunk = 0; chunk < chunks; chunk++) {
                assertEquals(1 + file * 1000L + chunk, hashes[chunk]);
            }
        }
        assertEquals(files * chunks, CatalogDbTest.countRows(catalog, "manifest_chunks"));
    }

    @Test
    void manifestsSurviveReopen() throws IOException {
        TrackFile f = new TrackFile(3, "o", "a.flac", 2L * MIB, 1, null);
        store.recordChunk(f, MIB, 1, 99);
        catalog.close();
        open();
        assertArrayEquals(new long[] {0, 99}, store.load(f, MIB).hashes());
    }

    @Test
    void aFileWithoutManifestIsAnsweredWithoutAQueryBeforeAndAfterReopen() throws IOException {
        TrackFile cached = new TrackFile(3, "o", "a.flac", 2L * MIB, 1, null);
        TrackFile never = new TrackFile(4, "o", "b.flac", 2L * MIB, 1, null);
        assertArrayEquals(new long[] {0, 0}, store.load(never, MIB).hashes());
        assertEquals(1, ((DerbyManifestStore) store).queriesSkipped());
        store.recordChunk(cached, MIB, 0, 42);
        assertArrayEquals(new long[] {42, 0}, store.load(cached, MIB).hashes(), "a recorded chunk is found at once");
        assertEquals(1, ((DerbyManifestStore) store).queriesSkipped());

        catalog.close();
        open();
        assertArrayEquals(new long[] {42, 0}, store.load(cached, MIB).hashes(), "which files have manifests is read back at start");
        assertArrayEquals(new long[] {0, 0}, store.load(never, MIB).hashes());
        assertEquals(1, ((DerbyManifestStore) store).queriesSkipped(), "only the file without manifest skipped its query");
    }
}
