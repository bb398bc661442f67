package io.musicfs.cas.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.content.Manifest;
import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content reader on real files: a directory origin with injected faults, a cache directory, in-memory manifests. */
class CachedContentReaderTest {

    /** The smallest allowed chunk size keeps files small and chunk counts interesting. */
    private static final int CS = CachedContentReader.MIN_CHUNK_SIZE;
    /** Five full chunks and a partial last one. */
    private static final int SIZE = 5 * CS + 12_345;

    @TempDir
    Path tmp;
    private Path originDir;
    private Path cacheDir;
    private DirectoryOrigin origin;
    private ListRouter router;
    private MemoryManifestStore manifests;
    private final List<CachedContentReader> readers = new ArrayList<>();
    private final Random random = new Random(42);
    private byte[] content;
    private TrackFile track;

    @BeforeEach
    void setUp() throws IOException {
        originDir = Files.createDirectories(tmp.resolve("origin"));
        cacheDir = tmp.resolve("cache");
        origin = new DirectoryOrigin("local1", originDir);
        router = new ListRouter(origin);
        manifests = new MemoryManifestStore();
        content = write("a/track.flac", SIZE);
        track = origin.track(1, "a/track.flac");
    }

    @AfterEach
    void tearDown() {
        origin.heal();
        readers.forEach(CachedContentReader::deactivate);
    }

    @Test
    void coldReadFetchesOnlyTheChunksItNeeds() throws IOException {
        CachedContentReader reader = reader(Map.of());

        assertArrayEquals(slice(content, 2 * CS + 10, 100), read(reader, track, 2 * CS + 10, 100));
        assertEquals(1, origin.reads.get());
        assertEquals(CS, origin.bytesRead.get());

        // Spanning chunks 3 and 4: two more chunk fetches.
        assertArrayEquals(slice(content, 4 * CS - 50, 100), read(reader, track, 4 * CS - 50, 100));
        assertEquals(3, origin.reads.get());
        assertEquals(3L * CS, origin.bytesRead.get());

        // The partial last chunk: only its bytes come over, and the read stops at the end of the file.
        assertArrayEquals(slice(content, SIZE - 10, 10), read(reader, track, SIZE - 10, 100));
        assertEquals(4, origin.reads.get());
        assertEquals(3L * CS + 12_345, origin.bytesRead.get());

        awaitWrites(reader);
        assertEquals(4, reader.stats().chunks());
        assertEquals(3L * CS + 12_345, reader.stats().bytes());
        assertEquals(4, reader.stats().misses());
    }

    @Test
    void warmReadsNeverAskAnOriginAndReturnTheSourceBytes() throws IOException {
        CachedContentReader first = reader(Map.of());
        assertArrayEquals(content, readAll(first, track, 128 << 10));
        origin.resetCounters();
        int routesBefore = router.routes.get();

        checkRandomReads(first, 500);
        // A fresh reader over the same cache has nothing in memory: every chunk comes from disk.
        first.deactivate();
        readers.remove(first);
        CachedContentReader second = reader(Map.of());
        checkRandomReads(second, 500);
        assertArrayEquals(content, readAll(second, track, 7777));

        assertEquals(0, origin.reads.get(), "origin reads on warm reads");
        assertEquals(routesBefore, router.routes.get(), "router calls on warm reads");
        assertEquals(-1, second.read(track, SIZE, ByteBuffer.allocate(10)));
        assertEquals(-1, second.read(track, SIZE + 1_000_000L, ByteBuffer.allocate(10)));
        assertEquals(0, second.read(track, 0, ByteBuffer.allocate(0)));
        assertEquals(0, second.stats().misses());
        assertEquals(0, second.stats().badChunks());
    }

    @Test
    void aCorruptChunkFileIsRefetchedAloneAndTheRightBytesServed() throws IOException {
        CachedContentReader first = reader(Map.of());
        readAll(first, track, CS);
        awaitWrites(first);
        long hash = manifests.load(track, CS).hash(2);
        Path chunkFile = first.store().pathOf(hash);
        byte[] bytes = Files.readAllBytes(chunkFile);
        bytes[1234] ^= 0x01;
        Files.write(chunkFile, bytes);
        origin.resetCounters();

        CachedContentReader second = reader(Map.of());
        assertArrayEquals(content, readAll(second, track, 100_000));

        assertEquals(1, origin.reads.get());
        assertEquals(CS, origin.bytesRead.get());
        assertEquals(1, second.stats().badChunks());
        awaitWrites(second);
        assertArrayEquals(slice(content, 2 * CS, CS), Files.readAllBytes(chunkFile), "chunk file rewritten with the right bytes");
    }

    @Test
    void aDeletedChunkFileIsRefetched() throws IOException {
        CachedContentReader first = reader(Map.of());
        readAll(first, track, CS);
        awaitWrites(first);
        long lastChunk = manifests.load(track, CS).hash(5);
        Files.delete(first.store().pathOf(lastChunk));
        origin.resetCounters();

        CachedContentReader second = reader(Map.of());
        assertArrayEquals(content, readAll(second, track, 100_000));
        assertEquals(12_345, origin.bytesRead.get());
        awaitWrites(second);
        assertTrue(Files.exists(second.store().pathOf(lastChunk)));
    }

    @Test
    void aChangedOriginFileIsNeverMixedWithTheOldChunks() throws IOException {
        CachedContentReader reader = reader(Map.of());
        readAll(reader, track, CS);

        // Same size, new content and mtime: every chunk must come again.
        byte[] sameSize = write("a/track.flac", SIZE);
        touch("a/track.flac", track.mtimeMillis() + 2_000);
        TrackFile v2 = origin.track(1, "a/track.flac");
        origin.resetCounters();
        assertArrayEquals(sameSize, readAll(reader, v2, 100_000));
        assertEquals(SIZE, origin.bytesRead.get());

        // A new size: likewise.
        byte[] longer = write("a/track.flac", SIZE + 3 * CS);
        touch("a/track.flac", track.mtimeMillis() + 4_000);
        TrackFile v3 = origin.track(1, "a/track.flac");
        assertArrayEquals(longer, readAll(reader, v3, 100_000));
        assertTrue(manifests.dropped.get() >= 2);
    }

    @Test
    void anOriginFileShorterOrLongerThanCataloguedIsAnErrorAndNotStored() throws IOException {
        CachedContentReader reader = reader(Map.of());
        // The catalog still says SIZE; the origin file lost its tail.
        write("a/track.flac", 3 * CS + 100);
        IOException shorter = assertThrows(IOException.class, () -> read(reader, track, 4 * CS, 10));
        assertTrue(shorter.getMessage().contains("a/track.flac"), shorter.getMessage());
        assertTrue(shorter.getMessage().contains("shorter than catalogued"), shorter.getMessage());

        // Now it grew: the last chunk shows it.
        write("a/track.flac", SIZE + 1);
        IOException longer = assertThrows(IOException.class, () -> read(reader, track, SIZE - 1, 1));
        assertTrue(longer.getMessage().contains("longer than catalogued"), longer.getMessage());

        awaitWrites(reader);
        assertEquals(0, reader.stats().chunks(), "nothing stored");
        assertArrayEquals(new long[Manifest.chunkCount(SIZE, CS)], manifests.load(track, CS).hashes(), "nothing recorded");
    }

    @Test
    void aHangingOriginFailsTheReadWithinTheDeadlineWhileCachedChunksStillRead() throws Exception {
        CachedContentReader reader = reader(Map.of("localDeadlineMillis", 1000L));
        byte[] chunk0 = read(reader, track, 0, CS);
        origin.hang();

        ExecutorService fuse = Executors.newSingleThreadExecutor();
        try {
            Future<Long> failed = fuse.submit(() -> {
                long t0 = System.nanoTime();
                ByteBuffer dst = ByteBuffer.allocateDirect(CS);
                ContentUnavailableException e = assertThrows(ContentUnavailableException.class, () -> reader.read(track, 3 * CS, dst));
                assertTrue(e.getMessage().contains("a/track.flac") && e.getMessage().contains("local1: no answer within 1000 ms"),
                        e.getMessage());
                assertEquals(0, dst.position(), "a failed read leaves the buffer as it was");
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            });
            // While that read waits on the hung origin, cached data reads at once.
            long t0 = System.nanoTime();
            assertArrayEquals(chunk0, read(reader, track, 0, CS));
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500), "the cached read waited");

            long elapsed = failed.get(5, TimeUnit.SECONDS);
            assertTrue(elapsed >= 990 && elapsed < 3_000, "failed after " + elapsed + " ms");
        } finally {
            fuse.shutdownNow();
        }
        assertTrue(router.reports.contains(new ListRouter.Report("local1", false)));
        // The hung call still holds the buffer it was given: the pool must never hand it out again.
        ChunkBufferPool.Buffer next = reader.buffers().take();
        assertFalse(next.data == origin.lastDst, "a buffer an abandoned origin call may still write into was reused");
        reader.buffers().release(next);

        // The hung call finally completes, into a buffer the reader gave up: later reads are unharmed.
        origin.heal();
        Thread.sleep(100);
        assertArrayEquals(content, readAll(reader, track, 100_000));
    }

    @Test
    void aFailingOriginFailsOverToTheNext() throws IOException {
        DirectoryOrigin broken = new DirectoryOrigin("broken", originDir);
        broken.fail();
        router.origins.add(0, broken);
        CachedContentReader reader = reader(Map.of());

        assertArrayEquals(content, readAll(reader, track, 100_000));
        assertEquals(6, broken.reads.get());
        assertEquals(SIZE, origin.bytesRead.get());
        assertTrue(router.reports.contains(new ListRouter.Report("broken", false)));
        assertTrue(router.reports.contains(new ListRouter.Report("local1", true)));
    }

    @Test
    void aHangingOriginFailsOverToTheNextAfterItsDeadline() throws IOException {
        DirectoryOrigin hung = new DirectoryOrigin("hung", originDir);
        hung.hang();
        router.origins.add(0, hung);
        CachedContentReader reader = reader(Map.of("localDeadlineMillis", 200L));
        try {
            long t0 = System.nanoTime();
            assertArrayEquals(slice(content, CS, 10), read(reader, track, CS, 10));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
        } finally {
            hung.heal();
        }
    }

    @Test
    void whenNoOriginDeliversTheReadNamesTheFileAndEveryOriginTried() throws IOException {
        DirectoryOrigin broken = new DirectoryOrigin("broken", originDir);
        broken.fail();
        origin.fail();
        router.origins.add(broken);
        CachedContentReader reader = reader(Map.of());

        ContentUnavailableException e = assertThrows(ContentUnavailableException.class, () -> read(reader, track, 0, 10));
        assertTrue(e.getMessage().contains("a/track.flac"), e.getMessage());
        assertTrue(e.getMessage().contains("local1: java.io.IOException: local1: injected failure"), e.getMessage());
        assertTrue(e.getMessage().contains("broken: java.io.IOException: broken: injected failure"), e.getMessage());

        router.origins.clear();
        ContentUnavailableException offline = assertThrows(ContentUnavailableException.class, () -> read(reader, track, 0, 10));
        assertTrue(offline.getMessage().contains("no origin can serve it now"), offline.getMessage());
    }

    @Test
    void aHundredConcurrentReadsAllComplete() throws Exception {
        List<TrackFile> tracks = new ArrayList<>();
        Map<Long, byte[]> truth = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            byte[] bytes = write("many/" + i + ".flac", 9 * CS + random.nextInt(CS));
            TrackFile t = origin.track(10 + i, "many/" + i + ".flac");
            tracks.add(t);
            truth.put(t.fileId(), bytes);
        }
        origin.delay(2);
        CachedContentReader reader = reader(Map.of());
        ExecutorService fuse = Executors.newFixedThreadPool(100);
        try {
            CyclicBarrier start = new CyclicBarrier(100);
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                TrackFile t = tracks.get(i % tracks.size());
                long seed = i;
                reads.add(fuse.submit(() -> {
                    Random r = new Random(seed);
                    byte[] expected = truth.get(t.fileId());
                    start.await();
                    for (int n = 0; n < 5; n++) {
                        int off = r.nextInt(expected.length);
                        int len = 1 + r.nextInt(3 * CS);
                        assertArrayEquals(slice(expected, off, Math.min(len, expected.length - off)), read(reader, t, off, len));
                    }
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            fuse.shutdownNow();
        }
        assertTrue(origin.reads.get() <= 40, "each of the 40 chunks fetched at most once, got " + origin.reads.get());
        assertEquals(0, reader.stats().badChunks());
    }

    @Test
    void concurrentReadersOfOneChunkFetchItOnce() throws Exception {
        origin.delay(300);
        CachedContentReader reader = reader(Map.of());
        int n = 16;
        ExecutorService fuse = Executors.newFixedThreadPool(n);
        try {
            CyclicBarrier start = new CyclicBarrier(n);
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int off = CS + i * 1000;
                reads.add(fuse.submit(() -> {
                    start.await();
                    return read(reader, track, off, 500);
                }));
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(slice(content, CS + i * 1000, 500), reads.get(i).get(10, TimeUnit.SECONDS));
            }
        } finally {
            fuse.shutdownNow();
        }
        assertEquals(1, origin.reads.get());
    }

    @Test
    void aChunkThatCannotBeStoredIsStillServed() throws IOException {
        CachedContentReader reader = reader(Map.of());
        // Chunk writes fail: their temporary directory is now a file.
        Path tmpDir = cacheDir.resolve(ChunkStore.CHUNKS_DIR).resolve(ChunkStore.TMP_DIR);
        Files.delete(tmpDir);
        Files.writeString(tmpDir, "in the way");

        assertArrayEquals(content, readAll(reader, track, 100_000));
        awaitWrites(reader);
        assertEquals(0, reader.stats().chunks());
        assertArrayEquals(new long[Manifest.chunkCount(SIZE, CS)], manifests.load(track, CS).hashes(), "nothing recorded");
    }

    @Test
    void leftoverTemporaryFilesAreRemovedAndEarlierChunksCountedAtStart() throws Exception {
        CachedContentReader first = reader(Map.of());
        readAll(first, track, CS);
        first.deactivate();
        readers.remove(first);
        Path tmpDir = cacheDir.resolve(ChunkStore.CHUNKS_DIR).resolve(ChunkStore.TMP_DIR);
        Files.writeString(tmpDir.resolve("0123456789abcdef.1.tmp"), "half a chunk, killed mid-write");
        Files.writeString(tmpDir.resolve("fedcba9876543210.2.tmp"), "another");

        CachedContentReader second = reader(Map.of());
        try (var left = Files.list(tmpDir)) {
            assertEquals(0, left.count());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!second.stats().inventoryComplete() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(second.stats().inventoryComplete());
        assertEquals(6, second.stats().chunks());
        assertEquals(SIZE, second.stats().bytes());
    }

    @Test
    void anInvalidConfigurationIsRejectedNamingTheProperty() {
        String dir = cacheDir.toString();
        assertRejected("chunkSize", Map.of("cacheDir", dir, "chunkSize", 1000));
        assertRejected("chunkSize", Map.of("cacheDir", dir, "chunkSize", 100_000));
        assertRejected("chunkSize", Map.of("cacheDir", dir, "chunkSize", 32 << 10));
        assertRejected("chunkSize", Map.of("cacheDir", dir, "chunkSize", 32 << 20));
        assertRejected("cacheDir", Map.of());
        assertRejected("cacheDir", Map.of("cacheDir", " "));
        assertRejected("cacheDir", Map.of("cacheDir", "relative/cache"));
        assertRejected("localDeadlineMillis", Map.of("cacheDir", dir, "localDeadlineMillis", 0L));
        assertRejected("remoteDeadlineMillis", Map.of("cacheDir", dir, "remoteDeadlineMillis", -5L));
        assertFalse(Files.exists(cacheDir), "nothing created for a rejected configuration");
    }

    @Test
    void aLiveConfigurationChangeAppliesDeadlinesAndKeepsTheRunningConfigurationWhenInvalid() throws Exception {
        CachedContentReader reader = reader(Map.of("localDeadlineMillis", 60_000L));
        reader.modified(Configs.config(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS, "localDeadlineMillis", 200L)));
        reader.modified(Configs.config(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS, "localDeadlineMillis", -1L)));
        origin.hang();
        long t0 = System.nanoTime();
        assertThrows(ContentUnavailableException.class, () -> read(reader, track, 0, 10));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "the 200 ms deadline applies");
    }

    @Test
    void deactivateStopsTheThreadsItStarted() throws Exception {
        CachedContentReader reader = reader(Map.of());
        readAll(reader, track, CS);
        reader.deactivate();
        readers.remove(reader);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (liveCasThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, liveCasThreads());
        assertThrows(IOException.class, () -> read(reader, track, 0, 10));
    }

    // --- helpers

    private CachedContentReader reader(Map<String, Object> overrides) throws IOException {
        Map<String, Object> values = new HashMap<>(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS));
        values.putAll(overrides);
        CachedContentReader r = new CachedContentReader(manifests, router, Configs.config(values));
        readers.add(r);
        return r;
    }

    /** Chunks are written and recorded behind the reader's back: wait for that before looking at the disk or the manifests. */
    static void awaitWrites(CachedContentReader reader) {
        try {
            assertTrue(reader.writer().awaitIdle(TimeUnit.SECONDS.toNanos(10)), "chunk writes still pending after 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void assertRejected(String property, Map<String, Object> values) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CachedContentReader(manifests, router, Configs.config(values)));
        assertTrue(e.getMessage().contains(property), e.getMessage());
    }

    private byte[] write(String path, int size) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        Path file = originDir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return bytes;
    }

    private void touch(String path, long mtimeMillis) throws IOException {
        Files.setLastModifiedTime(originDir.resolve(path), FileTime.fromMillis(mtimeMillis));
    }

    private void checkRandomReads(CachedContentReader reader, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            int off = random.nextInt(SIZE);
            int len = 1 + random.nextInt(i % 2 == 0 ? 3 * CS : 4096);
            assertArrayEquals(slice(content, off, Math.min(len, SIZE - off)), read(reader, track, off, len), "at " + off + "+" + len);
        }
    }

    static byte[] read(CachedContentReader reader, TrackFile file, long offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(length);
        int n = reader.read(file, offset, dst);
        assertEquals(n, dst.position());
        byte[] out = new byte[Math.max(n, 0)];
        dst.flip().get(out);
        return out;
    }

    /** Reads a whole file in pieces of {@code piece} bytes through direct buffers, as FUSE does. */
    static byte[] readAll(CachedContentReader reader, TrackFile file, int piece) throws IOException {
        byte[] all = new byte[(int) file.size()];
        ByteBuffer dst = ByteBuffer.allocateDirect(piece);
        long off = 0;
        int n;
        while ((n = reader.read(file, off, dst.clear())) > 0) {
            dst.flip().get(all, (int) off, n);
            off += n;
        }
        assertEquals(file.size(), off);
        return all;
    }

    private static byte[] slice(byte[] bytes, long off, int len) {
        return Arrays.copyOfRange(bytes, (int) off, (int) off + len);
    }

    private static long liveCasThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("musicfs-cas-")).count();
    }
}
