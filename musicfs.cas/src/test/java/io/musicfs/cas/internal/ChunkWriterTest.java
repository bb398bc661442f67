package io.musicfs.cas.internal;

import static io.musicfs.cas.internal.CachedContentReaderTest.awaitWrites;
import static io.musicfs.cas.internal.CachedContentReaderTest.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caching behind the reader's back, on real files: chunks reach the reader before they are persisted,
 * are written and fsynced before they are indexed, are skipped (not waited for) when the write queue
 * is full, and a stop with a full queue is bounded and leaves nothing half indexed.
 */
class ChunkWriterTest {

    private static final int CS = CachedContentReader.MIN_CHUNK_SIZE;
    /** Twelve full chunks and a partial last one. */
    private static final int SIZE = 12 * CS + 777;
    private static final int CHUNKS = 13;

    @TempDir
    Path tmp;
    private Path cacheDir;
    private Path originDir;
    private DirectoryOrigin origin;
    private ObservedManifestStore manifests;
    private final List<CachedContentReader> readers = new ArrayList<>();
    /** Released in tearDown, so a test that blocks the writer never leaves it blocked. */
    private final CountDownLatch release = new CountDownLatch(1);
    private byte[] content;
    private TrackFile track;

    @BeforeEach
    void setUp() throws IOException {
        originDir = Files.createDirectories(tmp.resolve("origin"));
        cacheDir = tmp.resolve("cache");
        origin = new DirectoryOrigin("local1", originDir);
        manifests = new ObservedManifestStore(cacheDir);
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Files.write(originDir.resolve("track.flac"), content);
        track = origin.track(1, "track.flac");
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        readers.forEach(CachedContentReader::deactivate);
    }

    @Test
    void everyChunkIsCompleteOnDiskBeforeItIsRecorded() throws Exception {
        CachedContentReader reader = reader(Map.of());
        assertArrayEquals(content, readAll(reader, 100_000));
        awaitWrites(reader);

        assertEquals(CHUNKS, manifests.records.get());
        assertEquals(List.of(), manifests.indexedBeforeWritten, "chunks indexed before they were complete on disk");
        long[] hashes = manifests.hashes(track, CS);
        for (long hash : hashes) {
            assertTrue(manifests.completeOnDisk(hash));
        }
        try (var left = Files.list(cacheDir.resolve(ChunkStore.CHUNKS_DIR).resolve(ChunkStore.TMP_DIR))) {
            assertEquals(0, left.count(), "temporary files left");
        }
    }

    @Test
    void chunksEvictedAndFetchedAgainAreStoredWithoutAManifestWriteUnlessTheirBytesChanged() throws Exception {
        CachedContentReader reader = reader(Map.of("readAheadChunks", 0));
        assertArrayEquals(content, readAll(reader, 100_000));
        awaitWrites(reader);
        assertEquals(CHUNKS, manifests.records.get());
        long[] recorded = manifests.hashes(track, CS);

        reader.clear(null); // every chunk evicted; the manifest keeps their hashes
        origin.reads.set(0);
        assertArrayEquals(content, readAll(reader, 100_000));
        awaitWrites(reader);
        assertEquals(CHUNKS, origin.reads.get(), "every chunk fetched again");
        for (long hash : recorded) {
            assertTrue(manifests.completeOnDisk(hash), "stored again");
        }
        assertEquals(CHUNKS, manifests.records.get(), "no manifest write: it held these very chunks");
        assertArrayEquals(recorded, manifests.hashes(track, CS));

        // Other bytes under the same identity (rewritten in place, same size and time): their hashes are recorded.
        reader.clear(null);
        byte[] rewritten = content.clone();
        for (int i = 0; i < CHUNKS; i++) {
            rewritten[i * CS] ^= 1;
        }
        Files.write(originDir.resolve("track.flac"), rewritten);
        ByteBuffer dst = ByteBuffer.allocateDirect(100_000);
        for (long off = 0; off < SIZE; off += reader.read(track, off, dst.clear())) {
            // read through
        }
        awaitWrites(reader);
        assertEquals(2 * CHUNKS, manifests.records.get());
        for (long hash : manifests.hashes(track, CS)) {
            assertTrue(manifests.completeOnDisk(hash));
        }
        assertEquals(List.of(), manifests.indexedBeforeWritten);
    }

    @Test
    void theReaderHasItsBytesBeforeTheChunkIsWrittenAndOthersAreServedFromMemoryUntilItIs() throws Exception {
        CachedContentReader reader = reader(Map.of("readAheadChunks", 0));
        CountDownLatch reached = new CountDownLatch(1);
        reader.writer().beforeWrite = (file, index, hash) -> {
            reached.countDown();
            await(release);
        };

        assertArrayEquals(slice(3 * CS + 5, 1000), read(reader, track, 3 * CS + 5, 1000));
        assertTrue(reached.await(5, TimeUnit.SECONDS));
        long hash = hashOfChunk(3);
        assertFalse(Files.exists(reader.store().pathOf(hash)), "nothing on disk yet");
        assertEquals(Manifest.UNKNOWN, manifests.hashes(track, CS)[3], "nothing recorded yet");

        // While it waits to be written, the chunk is served from memory, to this reader and to a new thread.
        Thread other = new Thread(() -> {
            try {
                assertArrayEquals(slice(3 * CS, CS), read(reader, track, 3 * CS, CS));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        other.start();
        other.join(5_000);
        assertArrayEquals(slice(4 * CS - 10, 10), read(reader, track, 4 * CS - 10, 10));
        assertEquals(1, origin.reads.get(), "the chunk waiting to be written was fetched again");

        release.countDown();
        awaitWrites(reader);
        assertTrue(manifests.completeOnDisk(hash));
        assertEquals(hash, manifests.hashes(track, CS)[3]);
        assertEquals(List.of(), manifests.indexedBeforeWritten);
    }

    @Test
    void betweenWriteAndIndexTheChunkIsOnDiskButNotIndexedAndACrashThereLeavesItUnindexed() throws Exception {
        CachedContentReader reader = reader(Map.of("readAheadChunks", 0));
        CountDownLatch reached = new CountDownLatch(1);
        reader.writer().betweenWriteAndIndex = (file, index, hash) -> {
            if (index == 1) {
                reached.countDown();
                await(release);
                throw new IOException("killed between write and index");
            }
        };

        assertArrayEquals(slice(CS, CS), read(reader, track, CS, CS));
        assertTrue(reached.await(5, TimeUnit.SECONDS));
        long hash = hashOfChunk(1);
        assertTrue(manifests.completeOnDisk(hash), "written, fsynced and renamed first");
        assertEquals(Manifest.UNKNOWN, manifests.hashes(track, CS)[1], "then indexed, not before");

        release.countDown();
        awaitWrites(reader);
        assertEquals(Manifest.UNKNOWN, manifests.hashes(track, CS)[1], "the chunk the 'crash' hit is never indexed");
        assertEquals(0, manifests.records.get());

        // A restart over the same cache: the unindexed chunk file costs a fetch, never wrong bytes.
        reader.deactivate();
        readers.remove(reader);
        CachedContentReader restarted = reader(Map.of());
        origin.resetCounters();
        assertArrayEquals(content, readAll(restarted, 50_000));
        assertEquals(SIZE, origin.bytesRead.get());
        awaitWrites(restarted);
        assertEquals(hash, manifests.hashes(track, CS)[1]);
        assertEquals(List.of(), manifests.indexedBeforeWritten);
    }

    @Test
    void aFullQueueSkipsCachingWithoutBlockingTheReader() throws Exception {
        CachedContentReader reader = reader(Map.of("writeQueueChunks", 2, "readAheadChunks", 0));
        CountDownLatch reached = new CountDownLatch(1);
        reader.writer().beforeWrite = (file, index, hash) -> {
            reached.countDown();
            await(release); // the disk hangs
        };

        long t0 = System.nanoTime();
        assertArrayEquals(content, readAll(reader, CS));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 3_000, "the reader waited for the disk: " + millis + " ms");
        assertTrue(reached.await(5, TimeUnit.SECONDS));
        assertEquals(CHUNKS - 2, reader.stats().writesSkipped(), "one chunk being written, one queued, the rest skipped");

        // Skipped chunks are still in memory while their buffers last: reading again asks no origin.
        assertArrayEquals(content, readAll(reader, 10_000));
        assertEquals(CHUNKS, origin.reads.get());

        assertEquals(0, manifests.records.get());

        // The disk comes back: the queued chunks are cached, and so are the skipped ones, which are
        // still in memory, without fetching them again.
        release.countDown();
        awaitWrites(reader);
        long[] recorded = manifests.hashes(track, CS);
        assertEquals(CHUNKS, Arrays.stream(recorded).filter(h -> h != Manifest.UNKNOWN).count());
        assertEquals(CHUNKS, reader.stats().chunks());
        assertEquals(CHUNKS, origin.reads.get());
        assertEquals(List.of(), manifests.indexedBeforeWritten);
    }

    @Test
    void aSkippedChunkIsCachedLaterOnlyIfItIsStillInMemory() throws Exception {
        CacheStats stats = new CacheStats();
        ChunkStore store = ChunkStore.open(cacheDir, stats);
        ChunkBufferPool pool = new ChunkBufferPool(CS, 3);
        Throttle warnings = new Throttle(org.slf4j.LoggerFactory.getLogger(ChunkWriterTest.class));
        ChunkWriter writer = new ChunkWriter(store, manifests, pool, stats, CS, 1, 8, warnings, warnings);
        try {
            CountDownLatch reached = new CountDownLatch(1);
            writer.beforeWrite = (file, index, hash) -> {
                if (index == 0) {
                    reached.countDown();
                    await(release);
                }
            };
            FileVersion version = new FileVersion(track, CS, System.nanoTime());
            boolean[] accepted = new boolean[3];
            for (int i = 0; i < 3; i++) {
                ChunkBufferPool.Buffer b = pool.take();
                b.data.put(content, i * CS, CS).flip();
                long hash = ChunkStore.hash(b.data);
                pool.publish(b, hash, CS);
                version.fetched(i, hash);
                accepted[i] = writer.offer(version, i, hash, b);
                pool.release(b);
            }
            assertArrayEquals(new boolean[] {true, false, false}, accepted);
            assertEquals(2, stats.writesSkipped());
            assertTrue(reached.await(5, TimeUnit.SECONDS));

            // Chunk 1's buffer is needed for something else (it was released first): chunk 1 is gone from memory.
            ChunkBufferPool.Buffer other = pool.take();
            assertEquals(null, pool.pin(hashOfChunk(1), CS));
            release.countDown();
            assertTrue(writer.awaitIdle(TimeUnit.SECONDS.toNanos(10)));
            pool.release(other);

            long[] recorded = manifests.hashes(track, CS);
            assertEquals(hashOfChunk(0), recorded[0]);
            assertEquals(Manifest.UNKNOWN, recorded[1], "gone from memory: left to be fetched again when read");
            assertEquals(hashOfChunk(2), recorded[2], "still in memory when the writer had room: cached");
            assertTrue(version.recordedAs(2, hashOfChunk(2)));
            assertEquals(List.of(), manifests.indexedBeforeWritten);
        } finally {
            release.countDown();
            writer.close();
            store.close();
        }
    }

    @Test
    void deactivatingWithAFullQueueOfSlowRecordsIsBoundedAndLeavesNothingHalfIndexed() throws Exception {
        manifests.recordDelayMillis = 400; // a database commit slower than the drain time
        CachedContentReader reader = reader(Map.of("writeQueueChunks", 8, "readAheadChunks", 0, "writeDrainMillis", 300L));
        assertArrayEquals(content, readAll(reader, CS));

        long t0 = System.nanoTime();
        reader.deactivate();
        readers.remove(reader);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 300 + TimeUnit.NANOSECONDS.toMillis(ChunkWriter.STOP_GRACE_NANOS) + 500, "deactivate took " + millis + " ms");

        awaitNoWriterThread();
        int recorded = manifests.records.get();
        // The commit under way when the drain time ran out may end; none starts after it.
        long drainEnd = t0 + TimeUnit.MILLISECONDS.toNanos(300 + 50);
        assertTrue(manifests.commitStarts.stream().allMatch(started -> started < drainEnd),
                "the drain time was not applied: a commit started after it ran out");
        long accepted = CHUNKS - reader.stats().writesSkipped();
        assertEquals(accepted, recorded + reader.stats().writesAbandoned(), "every queued chunk either recorded or dropped");
        assertEquals(List.of(), manifests.indexedBeforeWritten);
        for (long hash : manifests.hashes(track, CS)) {
            assertTrue(hash == Manifest.UNKNOWN || manifests.completeOnDisk(hash), "indexed but not on disk: " + ChunkStore.name(hash));
        }
    }

    @Test
    void deactivatingWhileTheWriterIsStuckReturnsAndTheStuckChunkIsNeverIndexed() throws Exception {
        CachedContentReader reader = reader(Map.of("writeQueueChunks", 4, "readAheadChunks", 0, "writeDrainMillis", 200L));
        CountDownLatch reached = new CountDownLatch(1);
        reader.writer().betweenWriteAndIndex = (file, index, hash) -> {
            reached.countDown();
            await(release); // an fsync that does not come back
        };
        assertArrayEquals(content, readAll(reader, CS));
        assertTrue(reached.await(5, TimeUnit.SECONDS));

        long t0 = System.nanoTime();
        reader.deactivate();
        readers.remove(reader);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 200 + TimeUnit.NANOSECONDS.toMillis(ChunkWriter.STOP_GRACE_NANOS) + 500, "deactivate took " + millis + " ms");

        release.countDown(); // the stuck step completes after the stop: nothing more may be recorded
        awaitNoWriterThread();
        assertEquals(0, manifests.records.get());
        assertEquals(4, reader.stats().writesAbandoned());
    }

    @Test
    void newPropertiesAreValidatedNamingTheProperty() {
        String dir = cacheDir.toString();
        assertRejected("readAheadChunks", Map.of("cacheDir", dir, "readAheadChunks", -1));
        assertRejected("readAheadChunks", Map.of("cacheDir", dir, "readAheadChunks", CachedContentReader.MAX_READ_AHEAD_CHUNKS + 1));
        assertRejected("writeQueueChunks", Map.of("cacheDir", dir, "writeQueueChunks", 0));
        assertRejected("writeQueueChunks", Map.of("cacheDir", dir, "writeQueueChunks", CachedContentReader.MAX_WRITE_QUEUE_CHUNKS + 1));
        assertRejected("writeDrainMillis", Map.of("cacheDir", dir, "writeDrainMillis", -1L));
        assertFalse(Files.exists(cacheDir), "nothing created for a rejected configuration");
    }

    // --- helpers

    private CachedContentReader reader(Map<String, Object> overrides) throws IOException {
        Map<String, Object> values = new HashMap<>(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS));
        values.putAll(overrides);
        CachedContentReader r = new CachedContentReader(manifests, new ListRouter(origin), Configs.config(values));
        readers.add(r);
        return r;
    }

    private void assertRejected(String property, Map<String, Object> values) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CachedContentReader(manifests, new ListRouter(origin), Configs.config(values)));
        assertTrue(e.getMessage().contains(property), e.getMessage());
    }

    private byte[] readAll(CachedContentReader reader, int piece) throws IOException {
        byte[] all = new byte[SIZE];
        ByteBuffer dst = ByteBuffer.allocateDirect(piece);
        long off = 0;
        int n;
        while ((n = reader.read(track, off, dst.clear())) > 0) {
            dst.flip().get(all, (int) off, n);
            off += n;
        }
        assertEquals(SIZE, off);
        return all;
    }

    private long hashOfChunk(int index) {
        int length = Math.min(CS, SIZE - index * CS);
        ByteBuffer b = ChunkStore.allocateChunkBuffer(length);
        b.put(content, index * CS, length).flip();
        return ChunkStore.hash(b);
    }

    private byte[] slice(long off, int len) {
        return Arrays.copyOfRange(content, (int) off, (int) off + len);
    }

    private static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // deaf to interrupts, like a stuck disk
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitNoWriterThread() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("musicfs-cas-writer"))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("musicfs-cas-writer")),
                "writer thread still running");
    }
}
