package io.musicfs.cas.internal;

import static io.musicfs.cas.internal.CachedContentReaderTest.awaitWrites;
import static io.musicfs.cas.internal.CachedContentReaderTest.read;
import static io.musicfs.cas.internal.CachedContentReaderTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.Node;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.testkit.origin.FaultyOrigin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache as an operator and a full or broken disk see it: self-healing reads, {@code verify},
 * {@code clear}, {@code prefetch}, the size limit, hash collisions, deadlines against a hanging
 * origin, and next-track read-ahead; on real files, with faults injected around the origin.
 */
class CacheAdminTest {

    private static final int CS = CachedContentReader.MIN_CHUNK_SIZE;
    /** Six chunks, the last partial. */
    private static final int SIZE = 5 * CS + 4_321;

    @TempDir
    Path tmp;
    private Path originDir;
    private Path cacheDir;
    private DirectoryOrigin directory;
    private FaultyOrigin origin;
    private ListRouter router;
    private MemoryManifestStore manifests;
    private final List<CachedContentReader> readers = new ArrayList<>();
    private final Random random = new Random(7);

    @BeforeEach
    void setUp() throws IOException {
        originDir = Files.createDirectories(tmp.resolve("origin"));
        cacheDir = tmp.resolve("cache");
        directory = new DirectoryOrigin("local1", originDir);
        origin = new FaultyOrigin(directory);
        router = new ListRouter(origin);
        manifests = new MemoryManifestStore();
    }

    @AfterEach
    void tearDown() {
        origin.heal();
        readers.forEach(CachedContentReader::deactivate);
    }

    @Test
    void aFlippedByteAndADeletedChunkAreRefetchedAndReadsGetTheRightBytes() throws Exception {
        byte[] content = write("a.flac", SIZE);
        TrackFile track = directory.track(1, "a.flac");
        CachedContentReader first = reader(Map.of());
        readAll(first, track, 128 << 10);
        awaitWrites(first);
        List<Path> chunks = chunkFiles();
        assertEquals(6, chunks.size());
        flipAByte(chunks.get(1));
        Files.delete(chunks.get(4));
        stop(first);

        CachedContentReader second = reader(Map.of());
        await(() -> second.stats().inventoryComplete(), "inventory");
        origin.resetCounters();
        assertArrayEquals(content, readAll(second, track, 128 << 10));
        assertEquals(2, origin.reads(), "only the two damaged chunks come from the origin");
        // the flipped one is damage; the one deleted while no reader ran is simply not in the cache any more
        assertEquals(1, second.status().badChunks());
        awaitWrites(second);
        assertEquals(diskBytes(), second.status().bytes(), "the accounting follows the disk");
        assertEquals(6, chunkFiles().size());
    }

    @Test
    void verifyReportsAndFixesAFlippedByteAndADeletedChunk() throws Exception {
        byte[] content = write("a.flac", SIZE);
        TrackFile track = directory.track(1, "a.flac");
        CachedContentReader reader = reader(Map.of());
        readAll(reader, track, 128 << 10);
        awaitWrites(reader);
        List<Path> chunks = chunkFiles();
        flipAByte(chunks.get(0));
        Files.delete(chunks.get(3));
        Files.writeString(chunks.get(5).resolveSibling("not-a-chunk"), "stray");

        List<Long> progress = new ArrayList<>();
        VerifyReport report = reader.verify(true, (done, total) -> progress.add(done));

        assertEquals(5, report.checked(), report.toString());
        assertEquals(1, report.corrupt(), report.toString());
        assertEquals(1, report.missing(), report.toString());
        assertEquals(1, report.unindexed(), report.toString());
        assertFalse(progress.isEmpty());
        assertEquals(4, chunkFiles().size());
        CacheStatus status = reader.status();
        assertEquals(diskBytes(), status.bytes());
        assertEquals(4, status.chunks());
        assertEquals(2, status.badChunks());

        // A second run finds nothing, and the file still reads right (fetching the two dropped chunks).
        VerifyReport again = reader.verify(true, null);
        assertEquals(0, again.corrupt() + again.missing() + again.unindexed(), again.toString());
        assertFalse(again.accountingFixed());
        stop(reader);
        CachedContentReader fresh = reader(Map.of());
        origin.resetCounters();
        assertArrayEquals(content, readAll(fresh, track, 100_000));
        assertEquals(2, origin.reads());
    }

    @Test
    void verifyCorrectsAccountingThatDisagreesWithTheDisk() throws Exception {
        write("a.flac", SIZE);
        CachedContentReader reader = reader(Map.of());
        readAll(reader, directory.track(1, "a.flac"), 128 << 10);
        awaitWrites(reader);
        reader.stats().reset(99, 12345);

        VerifyReport report = reader.verify(true, null);

        assertTrue(report.accountingFixed());
        assertEquals(diskBytes(), reader.status().bytes());
        assertEquals(6, reader.status().chunks());
    }

    @Test
    void theSizeLimitHoldsWhileALibraryTwiceItsSizeIsRead() throws Exception {
        long limit = 16L * CS;
        List<byte[]> contents = new ArrayList<>();
        List<TrackFile> tracks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            contents.add(write("t" + i + ".flac", SIZE));
            tracks.add(directory.track(i + 1, "t" + i + ".flac"));
        }
        CachedContentReader reader = reader(Map.of("cacheLimitBytes", limit));
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < tracks.size(); i++) {
                assertArrayEquals(contents.get(i), readAll(reader, tracks.get(i), 128 << 10));
                awaitWrites(reader);
                assertTrue(diskBytes() <= limit, "bytes on disk " + diskBytes() + " over the limit " + limit);
            }
        }
        await(() -> diskBytes() <= (long) (limit * CacheGuard.EVICT_ABOVE), "eviction below 90% of the limit");
        CacheStatus status = reader.status();
        assertTrue(status.evictions() > 0, status.toString());
        assertEquals(limit, status.limitBytes());
        assertEquals(diskBytes(), status.bytes());
        assertEquals(chunkFiles().size(), status.chunks());
        assertEquals(0, status.badChunks(), "evicted chunks read again are plain misses, not damage");
    }

    @Test
    void chunksOfFilesBeingReadAreEvictedLastAndTheRestLeastRecentlyUsedFirst() {
        ChunkIndex index = new ChunkIndex();
        index.added(1, 10, 1_000);
        index.added(2, 10, 5_000);
        index.added(3, 10, 2_000);
        index.added(4, 10, 3_000);
        index.accessed(1, 9_000);

        List<Long> order = index.evictionOrder(h -> h == 3, Long.MAX_VALUE).stream().map(e -> e.hash).toList();

        assertEquals(List.of(4L, 2L, 1L, 3L), order);
    }

    @Test
    void aChunkWrittenAfterTheSnapshotOfFilesBeingReadWasTakenIsEvictedLastToo() {
        ChunkIndex index = new ChunkIndex();
        index.added(1, 10, 1_000);
        index.added(2, 10, 2_000); // read now: in the snapshot
        long snapshot = 3_000; // the time the snapshot of files being read was taken
        index.added(3, 10, 3_500); // written after it, by a read the snapshot does not know: the newest chunk of all
        index.added(4, 10, 2_500);

        List<Long> order = index.evictionOrder(h -> h == 2, snapshot).stream().map(e -> e.hash).toList();

        assertEquals(List.of(1L, 4L, 2L, 3L), order);
    }

    @Test
    void aChunkNameTakenByOtherBytesIsNeverOverwrittenNorServedForThem() throws IOException {
        ChunkStore store = ChunkStore.open(cacheDir, new CacheStats());
        try {
            ByteBuffer a = ChunkStore.allocateChunkBuffer(1000);
            ByteBuffer b = ChunkStore.allocateChunkBuffer(1000);
            for (int i = 0; i < 1000; i++) {
                a.put(i, (byte) i);
                b.put(i, (byte) (i * 7));
            }
            long hashA = ChunkStore.hash(a);
            store.write(hashA, a);
            store.write(hashA, a); // the same bytes again: fine

            // Bytes B arriving under A's name (what a 64-bit collision looks like) are refused, and A stays.
            assertThrows(ChunkStore.ChunkCollision.class, () -> store.write(hashA, b));
            assertTrue(store.collides(hashA, b));
            assertFalse(store.collides(hashA, a));
            ByteBuffer back = ChunkStore.allocateChunkBuffer(1000);
            assertTrue(store.read(hashA, 1000, back));
            assertEquals(a.duplicate().position(0), back);
        } finally {
            store.close();
        }
    }

    @Test
    void clearOfOneOriginDropsItsChunksOnly() throws Exception {
        Path otherDir = Files.createDirectories(tmp.resolve("other"));
        DirectoryOrigin other = new DirectoryOrigin("local2", otherDir);
        router.origins.add(other);
        byte[] mine = write("a.flac", SIZE);
        byte[] theirs = new byte[3 * CS];
        random.nextBytes(theirs);
        Files.write(otherDir.resolve("b.flac"), theirs);
        TrackFile a = directory.track(1, "a.flac");
        TrackFile b = other.track(2, "b.flac");
        CachedContentReader reader = reader(Map.of());
        readAll(reader, a, 128 << 10);
        readAll(reader, b, 128 << 10);
        awaitWrites(reader);
        long before = diskBytes();

        long freed = reader.clear("local1");

        assertEquals(SIZE, freed);
        assertEquals(before - SIZE, diskBytes());
        assertEquals(diskBytes(), reader.status().bytes());
        // A new reader has nothing in memory: what it does not fetch comes from disk.
        stop(reader);
        CachedContentReader fresh = reader(Map.of());
        other.resetCounters();
        assertArrayEquals(theirs, readAll(fresh, b, 128 << 10));
        assertEquals(0, other.reads.get(), "the other origin's chunks stayed");
        origin.resetCounters();
        assertArrayEquals(mine, readAll(fresh, a, 128 << 10));
        assertEquals(6, origin.reads(), "the cleared origin's chunks are fetched again");

        awaitWrites(fresh);
        await(() -> fresh.stats().inventoryComplete(), "inventory");
        assertEquals(before, fresh.clear(null));
        assertEquals(0, diskBytes());
        assertEquals(0, fresh.status().bytes());
    }

    @Test
    void afterAClearTheRunningReaderFetchesFromTheOriginsNotFromMemory() throws Exception {
        byte[] bytes = write("a.flac", SIZE);
        TrackFile a = directory.track(1, "a.flac");
        CachedContentReader reader = reader(Map.of());
        readAll(reader, a, 128 << 10);
        awaitWrites(reader);
        origin.resetCounters();
        assertArrayEquals(bytes, readAll(reader, a, 128 << 10));
        assertEquals(0, origin.reads(), "before the clear the file is served from the cache");

        reader.clear(null);

        origin.resetCounters();
        assertArrayEquals(bytes, readAll(reader, a, 128 << 10));
        assertEquals(6, origin.reads(), "every chunk comes from the origin again, none from the chunks kept in memory");

        awaitWrites(reader);
        reader.clear("local1");
        origin.resetCounters();
        assertArrayEquals(bytes, readAll(reader, a, 128 << 10));
        assertEquals(6, origin.reads(), "the same after clearing the one origin");
    }

    @Test
    void shedPrefetchStopsReadAheadAndPrefetchUntilLifted() throws Exception {
        write("1.flac", SIZE);
        write("2.flac", SIZE);
        TrackFile t1 = directory.track(1, "1.flac");
        TrackFile t2 = directory.track(2, "2.flac");
        CachedContentReader reader = reader(Map.of());
        reader.shedPrefetch("file descriptors: 960 of 1000 in use (96%)");
        assertFalse(reader.status().prefetching());
        origin.resetCounters();
        for (long pos = 0; pos < 2L * CS; pos += CS / 2) {
            read(reader, t1, pos, CS / 2);
        }
        assertEquals(2, origin.reads(), "the two chunks read, nothing ahead of them");
        assertEquals(0, reader.stats().readAheads());
        assertEquals(1, reader.prefetch(List.of(t2), null).failed(), "prefetch refused while shed");

        reader.shedPrefetch(null);
        assertTrue(reader.status().prefetching());
        for (long pos = 0; pos < 2L * CS; pos += CS / 2) {
            read(reader, t2, pos, CS / 2);
        }
        await(() -> reader.stats().readAheads() > 0, "read-ahead running again");
    }

    @Test
    void prefetchFetchesWholeFilesAndSkipsWhatIsCached() throws Exception {
        byte[] one = write("1.flac", SIZE);
        write("2.flac", 2 * CS);
        TrackFile t1 = directory.track(1, "1.flac");
        TrackFile t2 = directory.track(2, "2.flac");
        TrackFile gone = new TrackFile(3, "local1", "gone.flac", 1000, 1, null);
        CachedContentReader reader = reader(Map.of());
        read(reader, t1, 0, CS);
        awaitWrites(reader);
        List<long[]> progress = new ArrayList<>();

        PrefetchReport report = reader.prefetch(List.of(t1, t2, gone), (done, total) -> progress.add(new long[] {done, total}));

        assertEquals(3, report.files());
        assertEquals(1, report.failed());
        assertEquals(SIZE - CS + 2L * CS, report.fetchedBytes());
        assertEquals(SIZE + 2L * CS + 1000, progress.get(progress.size() - 1)[1]);
        assertEquals(CS + report.fetchedBytes(), reader.status().originBytes(), "the first chunk read, then what prefetch fetched");
        assertEquals(CS, reader.status().servedBytes(), "prefetch serves nobody");
        stop(reader);
        CachedContentReader fresh = reader(Map.of());
        origin.resetCounters();
        assertArrayEquals(one, readAll(fresh, t1, 128 << 10));
        readAll(fresh, t2, 128 << 10);
        assertEquals(0, origin.reads(), "prefetched files are read from the cache");
    }

    @Test
    void aHangingOriginFailsUncachedReadsWithinTheDeadlineWhileCachedReadsGoOn() throws Exception {
        byte[] cached = write("cached.flac", SIZE);
        write("uncached.flac", SIZE);
        TrackFile warm = directory.track(1, "cached.flac");
        TrackFile cold = directory.track(2, "uncached.flac");
        long deadlineMillis = 300;
        CachedContentReader reader = reader(Map.of("localDeadlineMillis", deadlineMillis));
        readAll(reader, warm, 128 << 10);
        awaitWrites(reader);
        origin.mode(new FaultyOrigin.Hang(Duration.ofSeconds(60)));

        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<Long>> reads = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean warmRead = i % 2 == 0;
                long offset = (long) random.nextInt(SIZE - 1000);
                reads.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    if (warmRead) {
                        byte[] got = read(reader, warm, offset, 1000);
                        assertArrayEquals(java.util.Arrays.copyOfRange(cached, (int) offset, (int) offset + 1000), got);
                    } else {
                        assertThrows(ContentUnavailableException.class, () -> read(reader, cold, offset, 1000));
                    }
                    return System.nanoTime() - t0;
                }));
            }
            long slowest = 0;
            for (Future<Long> f : reads) {
                slowest = Math.max(slowest, f.get(20, TimeUnit.SECONDS));
            }
            // Each uncached read waits for its origin call or a call slot at most once per deadline, plus scheduling.
            assertTrue(TimeUnit.NANOSECONDS.toMillis(slowest) < 4 * deadlineMillis + 1500,
                    "slowest read took " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");
        } finally {
            pool.shutdownNow();
        }
        origin.heal();
        byte[] uncached = readAll(reader, cold, 128 << 10);
        assertEquals(SIZE, uncached.length);
    }

    @Test
    void theStartOfTheNextTrackInAlbumOrderIsFetchedWhileATrackPlays() throws Exception {
        write("album/01.flac", 8 * CS);
        byte[] second = write("album/02.flac", 8 * CS);
        write("album/03.flac", 8 * CS);
        TrackFile t1 = directory.track(1, "album/01.flac");
        TrackFile t2 = directory.track(2, "album/02.flac");
        TrackFile t3 = directory.track(3, "album/03.flac");
        CachedContentReader reader = reader(Map.of("readAheadChunks", 2, "nextTrackChunks", 2));
        reader.setLibrary(new OneAlbum(List.of(t1, t2, t3)));

        readAll(reader, t1, 128 << 10);

        // The player now opens track 2: its first two chunks were fetched meanwhile, the third was not.
        await(() -> directory.bytesRead.get() >= 10L * CS, "next-track read-ahead");
        awaitWrites(reader);
        origin.resetCounters();
        assertArrayEquals(java.util.Arrays.copyOf(second, 2 * CS), read(reader, t2, 0, 2 * CS));
        assertEquals(0, origin.reads(), "the start of the next track came from the cache");
        assertFalse(reader.store().index().contains(ChunkStore.hash(ByteBuffer.wrap(second, 2 * CS, CS))));
    }

    // --- helpers

    private CachedContentReader reader(Map<String, Object> overrides) throws IOException {
        Map<String, Object> values = new HashMap<>(Map.of("cacheDir", cacheDir.toString(), "chunkSize", CS));
        values.putAll(overrides);
        CachedContentReader r = new CachedContentReader(manifests, router, Configs.config(values));
        readers.add(r);
        return r;
    }

    private void stop(CachedContentReader r) {
        r.deactivate();
        readers.remove(r);
    }

    private byte[] write(String path, int size) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        Path file = originDir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return bytes;
    }

    private List<Path> chunkFiles() throws IOException {
        Path chunks = cacheDir.resolve(ChunkStore.CHUNKS_DIR);
        List<Path> found = new ArrayList<>();
        // Walked by hand: eviction may delete files and directories meanwhile, which Files.walk does not forgive.
        for (File top : listed(chunks.toFile())) {
            for (File middle : listed(top)) {
                for (File chunk : listed(middle)) {
                    if (chunk.isFile() && chunk.getName().length() == 16 && top.getName().length() == 2) {
                        found.add(chunk.toPath());
                    }
                }
            }
        }
        found.sort(null);
        return found;
    }

    private static File[] listed(File dir) {
        File[] files = dir.listFiles();
        return files == null ? new File[0] : files;
    }

    private long diskBytes() {
        try {
            // File.length: 0 for a chunk evicted while the walk runs
            return chunkFiles().stream().mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new AssertionError(e);
        }
    }

    static void flipAByte(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, 100);
            one.put(0, (byte) (one.get(0) ^ 0x55)).rewind();
            ch.write(one, 100);
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A library of one album directory holding the given tracks in this order. */
    private record OneAlbum(List<TrackFile> tracks) implements Library {

        private record N(long inode, String name, boolean isDirectory, long size, TrackFile track) implements Node {
            @Override
            public long mtimeMillis() {
                return 0;
            }
        }

        @Override
        public TreeSnapshot tree() {
            Node root = new N(1, "", true, 0, null);
            Node album = new N(2, "Album", true, 0, null);
            List<Node> nodes = tracks.stream().<Node>map(t -> new N(t.fileId() + 10, t.path(), false, t.size(), t)).toList();
            return new TreeSnapshot() {
                @Override
                public Node root() {
                    return root;
                }

                @Override
                public Node lookup(String path) {
                    return null;
                }

                @Override
                public List<Node> children(Node directory) {
                    return directory == root ? List.of(album) : directory == album ? nodes : List.of();
                }

                @Override
                public int trackCount() {
                    return nodes.size();
                }

                @Override
                public int directoryCount() {
                    return 2;
                }
            };
        }

        @Override
        public SyncState syncState(String originId) {
            return null;
        }

        @Override
        public List<SyncState> syncStates() {
            return List.of();
        }

        @Override
        public boolean rescan(String originId) {
            return false;
        }
    }
}
