package io.musicfs.cas.internal;

import static io.musicfs.cas.internal.CachedContentReaderTest.awaitWrites;
import static io.musicfs.cas.internal.CachedContentReaderTest.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.function.IntSupplier;

import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sequential read-ahead on real files: what is fetched ahead, how often, and that nobody waits on another file. */
class ReadAheadTest {

    private static final int CS = CachedContentReader.MIN_CHUNK_SIZE;
    /** Twenty full chunks and a partial last one. */
    private static final int SIZE = 20 * CS + 4321;
    private static final int CHUNKS = 21;

    @TempDir
    Path tmp;
    private Path originDir;
    private Path cacheDir;
    private DirectoryOrigin origin;
    private ListRouter router;
    private MemoryManifestStore manifests;
    private final List<CachedContentReader> readers = new ArrayList<>();
    private final Random random = new Random(3);
    private byte[] content;
    private TrackFile track;

    @BeforeEach
    void setUp() throws IOException {
        originDir = Files.createDirectories(tmp.resolve("origin"));
        cacheDir = tmp.resolve("cache");
        origin = new DirectoryOrigin("local1", originDir);
        router = new ListRouter(origin);
        manifests = new MemoryManifestStore();
        content = write("track.flac", SIZE);
        track = origin.track(1, "track.flac");
    }

    @AfterEach
    void tearDown() {
        origin.heal();
        readers.forEach(CachedContentReader::deactivate);
    }

    @Test
    void aSequentialReaderFindsTheNextChunksFetchedAheadEachOnce() throws Exception {
        CachedContentReader reader = reader(Map.of()); // readAheadChunks 4
        assertArrayEquals(slice(0, 1000), read(reader, track, 0, 1000));
        assertEquals(1, origin.reads.get(), "a first read is not a stream yet");
        assertArrayEquals(slice(1000, 1000), read(reader, track, 1000, 1000));
        awaitOriginReads(5, "chunks 1-4 read ahead");
        Thread.sleep(200);
        assertEquals(5, origin.reads.get(), "no more than readAheadChunks ahead");

        assertArrayEquals(content, CachedContentReaderTest.readAll(reader, track, 128 << 10));
        Thread.sleep(200);
        assertEquals(CHUNKS, origin.reads.get(), "every chunk fetched once");
        assertEquals(SIZE, origin.bytesRead.get());
        // How many more the read-ahead wins against a reader as fast as this one is a race; the first four it has won.
        assertTrue(reader.stats().readAheads() >= 4, "read ahead: " + reader.stats().readAheads());
    }

    @Test
    void aPlayerPacedReaderOfASlowOriginRarelyWaitsForIt() throws Exception {
        origin.delay(20); // every origin call takes 20 ms
        CachedContentReader reader = reader(Map.of());
        ByteBuffer dst = ByteBuffer.allocateDirect(CS / 2);
        byte[] got = new byte[CS / 2];
        for (long off = 0; off < SIZE; ) {
            int n = reader.read(track, off, dst.clear());
            dst.flip().get(got, 0, n);
            assertArrayEquals(slice(off, n), Arrays.copyOf(got, n));
            off += n;
            if (off % CS == 0) {
                Thread.sleep(15); // the player consumes a chunk in less time than the origin takes to deliver one
            }
        }
        // Chunk 0 and perhaps chunk 1 (read ahead only once the stream was seen) are waited for; the rest were there.
        assertTrue(reader.stats().misses() <= 3, reader.stats().toString());
        assertEquals(CHUNKS, origin.reads.get());
    }

    @Test
    void zeroDisablesReadAheadAndRandomReadsNeverTriggerIt() throws Exception {
        CachedContentReader off = reader(Map.of("readAheadChunks", 0));
        read(off, track, 0, 1000);
        read(off, track, 1000, 1000);
        read(off, track, 2000, CS);
        Thread.sleep(300);
        assertEquals(2, origin.reads.get(), "only the chunks read");
        off.deactivate();
        readers.remove(off);

        manifests = new MemoryManifestStore();
        cacheDir = tmp.resolve("cache2");
        origin.resetCounters();
        CachedContentReader on = reader(Map.of());
        int[] starts = {7 * CS + 10, 2 * CS + 99, 15 * CS, 11 * CS + 5, 3 * CS + 1};
        for (int start : starts) {
            assertArrayEquals(slice(start, 500), read(on, track, start, 500));
        }
        Thread.sleep(300);
        assertEquals(starts.length, origin.reads.get(), "random reads fetched only their own chunks");
        assertEquals(0, on.stats().readAheads());
    }

    @Test
    void aSeekRestartsReadAheadAtTheNewPosition() throws Exception {
        CachedContentReader reader = reader(Map.of("readAheadChunks", 2));
        read(reader, track, 0, 100);
        read(reader, track, 100, 100);
        awaitOriginReads(3, "chunks 1-2 ahead of the start");
        long at = 12L * CS + 7;
        assertArrayEquals(slice(at, 100), read(reader, track, at, 100));
        assertArrayEquals(slice(at + 100, 100), read(reader, track, at + 100, 100));
        awaitOriginReads(6, "chunks 13-14 ahead of the seek");
        Thread.sleep(200);
        assertEquals(6, origin.reads.get());
        assertArrayEquals(slice(13L * CS, 2 * CS), read(reader, track, 13L * CS, 2 * CS));
        assertEquals(6, origin.reads.get(), "the chunks read ahead were served from memory");
    }

    @Test
    void aWarmCacheIsReadAheadFromDiskWithoutAskingAnOrigin() throws Exception {
        CachedContentReader first = reader(Map.of("writeQueueChunks", CHUNKS)); // room to cache every chunk of one fast read
        assertArrayEquals(content, CachedContentReaderTest.readAll(first, track, 100_000));
        awaitWrites(first);
        assertEquals(0, first.stats().writesSkipped());
        first.deactivate();
        readers.remove(first);
        origin.resetCounters();

        CachedContentReader second = reader(Map.of());
        assertArrayEquals(content, CachedContentReaderTest.readAll(second, track, 128 << 10));
        assertEquals(0, origin.reads.get());
        assertEquals(0, second.stats().misses());
        assertTrue(second.stats().readAheads() > 0);
        assertEquals(0, second.stats().badChunks());
    }

    @Test
    void aHundredConcurrentSequentialReadersAllCompleteWithTheSourceBytes() throws Exception {
        List<TrackFile> tracks = new ArrayList<>();
        Map<Long, byte[]> truth = new HashMap<>();
        int totalChunks = 0;
        for (int i = 0; i < 10; i++) {
            byte[] bytes = write("many/" + i + ".flac", 12 * CS + random.nextInt(CS));
            TrackFile t = origin.track(10 + i, "many/" + i + ".flac");
            tracks.add(t);
            truth.put(t.fileId(), bytes);
            totalChunks += 13;
        }
        origin.delay(2);
        CachedContentReader reader = reader(Map.of());
        ExecutorService fuse = Executors.newFixedThreadPool(100);
        try {
            CyclicBarrier start = new CyclicBarrier(100);
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                TrackFile t = tracks.get(i % tracks.size());
                int piece = i % 3 == 0 ? 128 << 10 : i % 3 == 1 ? 4096 : 50_000;
                long seed = i;
                reads.add(fuse.submit(() -> {
                    byte[] expected = truth.get(t.fileId());
                    long from = new Random(seed).nextInt(2) == 0 ? 0 : new Random(seed).nextInt(expected.length);
                    start.await();
                    ByteBuffer dst = ByteBuffer.allocateDirect(piece);
                    byte[] got = new byte[piece];
                    int n;
                    for (long off = from; (n = reader.read(t, off, dst.clear())) > 0; off += n) {
                        dst.flip().get(got, 0, n);
                        assertArrayEquals(Arrays.copyOfRange(expected, (int) off, (int) off + n), Arrays.copyOf(got, n), "at " + off);
                    }
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            fuse.shutdownNow();
        }
        assertTrue(origin.reads.get() <= totalChunks, "each of the " + totalChunks + " chunks fetched at most once, got " + origin.reads.get());
        assertEquals(0, reader.stats().badChunks());
    }

    @Test
    void readersOfOtherFilesDoNotWaitForAFileWhoseOriginHangs() throws Exception {
        DirectoryOrigin hung = new DirectoryOrigin("hung", originDir);
        TrackFile stuck = hung.track(2, "track.flac");
        OriginRouter byOrigin = new OriginRouter() {
            @Override
            public List<Origin> route(TrackFile file) {
                return List.of(file.originId().equals("hung") ? hung : origin);
            }

            @Override
            public void report(String originId, boolean success, long nanos) {
            }
        };
        CachedContentReader reader = new CachedContentReader(manifests, byOrigin,
                Configs.config(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS, "localDeadlineMillis", 3000L)));
        readers.add(reader);
        read(reader, stuck, 0, 100);
        hung.hang();
        ExecutorService fuse = Executors.newSingleThreadExecutor();
        try {
            // A sequential reader of the hung file: its read and the read-ahead it started wait out the deadline.
            Future<?> waiting = fuse.submit(() -> assertThrows(ContentUnavailableException.class, () -> read(reader, stuck, 100, 2 * CS)));
            Thread.sleep(100);
            long t0 = System.nanoTime();
            assertArrayEquals(content, CachedContentReaderTest.readAll(reader, track, 128 << 10));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < 1_500, "the reader of another file waited " + millis + " ms");
            waiting.get(10, TimeUnit.SECONDS);
        } finally {
            hung.heal();
            fuse.shutdownNow();
        }
    }

    // --- helpers

    private CachedContentReader reader(Map<String, Object> overrides) throws IOException {
        Map<String, Object> values = new HashMap<>(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS));
        values.putAll(overrides);
        CachedContentReader r = new CachedContentReader(manifests, router, Configs.config(values));
        readers.add(r);
        return r;
    }

    private void awaitOriginReads(int expected, String what) throws InterruptedException {
        awaitTrue(() -> origin.reads.get() >= expected ? 1 : 0, what + ": origin reads " + origin.reads.get());
        assertEquals(expected, origin.reads.get(), what);
    }

    private static void awaitTrue(IntSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (condition.getAsInt() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(condition.getAsInt() != 0, message);
    }

    private byte[] write(String path, int size) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        Path file = originDir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return bytes;
    }

    private byte[] slice(long off, int len) {
        return Arrays.copyOfRange(content, (int) off, (int) off + len);
    }
}
