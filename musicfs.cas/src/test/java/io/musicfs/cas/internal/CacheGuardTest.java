package io.musicfs.cas.internal;

import static io.musicfs.cas.internal.CacheAdminTest.await;
import static io.musicfs.cas.internal.CacheAdminTest.flipAByte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.musicfs.api.cache.CacheStatus.State;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's upkeep on its own: the background scrub, the persisted access order, the default limit and failure kinds. */
class CacheGuardTest {

    @TempDir
    Path cacheDir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void theBackgroundScrubFindsAndDeletesABadChunk() throws Exception {
        CacheStats stats = new CacheStats();
        ChunkStore store = store(stats);
        List<Long> hashes = writeChunks(store, 5);
        flipAByte(store.pathOf(hashes.get(2)));

        guard(store, stats, new CacheGuard.Limits(1L << 30, 0, 60_000, 50));

        await(() -> !Files.exists(store.pathOf(hashes.get(2))), "the scrub deleting the bad chunk");
        assertEquals(1, stats.badChunks());
        assertEquals(4, stats.chunks());
        for (long h : List.of(hashes.get(0), hashes.get(1), hashes.get(3), hashes.get(4))) {
            assertTrue(Files.exists(store.pathOf(h)));
        }
    }

    @Test
    void theLastAccessOfEachChunkSurvivesARestart() throws Exception {
        CacheStats stats = new CacheStats();
        ChunkStore store = store(stats);
        List<Long> hashes = writeChunks(store, 3);
        long base = System.currentTimeMillis() - 3_600_000;
        store.index().get(hashes.get(0)).lastAccessMillis = base + 30_000;
        store.index().get(hashes.get(1)).lastAccessMillis = base + 10_000;
        store.index().get(hashes.get(2)).lastAccessMillis = base + 20_000;
        assertEquals(3, store.persistAccess());
        store.close();

        CacheStats after = new CacheStats();
        ChunkStore reopened = store(after);
        await(after::inventoryComplete, "inventory");
        List<Long> order = reopened.index().evictionOrder(h -> false, Long.MAX_VALUE).stream().map(e -> e.hash).toList();
        assertEquals(List.of(hashes.get(1), hashes.get(2), hashes.get(0)), order, "least recently used first, as before the restart");
        assertEquals(base + 10_000, reopened.index().get(hashes.get(1)).lastAccessMillis, 1_000.0);
    }

    @Test
    void aWriteFailingForLackOfSpaceOrAReadOnlyDiskIsRecognised() {
        assertEquals("cache disk full", CacheGuard.classify(new IOException("x", new java.nio.file.FileSystemException("/c/t",
                null, "No space left on device"))));
        assertEquals("cache disk read-only", CacheGuard.classify(new java.nio.file.FileSystemException("/c", null,
                "Read-only file system")));
        assertEquals(null, CacheGuard.classify(new NoSuchFileException("/c/x")));
        assertEquals(20L << 30, CacheGuard.defaultLimit(1L << 40), "20 GiB on a large disk");
        assertEquals(10L << 30, CacheGuard.defaultLimit(100L << 30), "a tenth of a 100 GiB disk");
    }

    @Test
    void writesThatKeepFailingSwitchToPassthroughAndAProbeBringsCachingBack() throws Exception {
        CacheStats stats = new CacheStats();
        ChunkStore store = store(stats);
        List<State> seen = new ArrayList<>();
        CacheGuard guard = new CacheGuard(store, stats, new CacheGuard.Limits(1L << 30, 0, 50, 0), () -> h -> false,
                (now, previous, reason) -> seen.add(now));
        open.add(guard);
        for (int i = 0; i < CacheGuard.FAILURES_BEFORE_PASSTHROUGH - 1; i++) {
            guard.writeFailed(new IOException("Input/output error"));
        }
        assertEquals(State.ACTIVE, guard.state());
        guard.writeFailed(new IOException("Input/output error"));
        assertEquals(State.PASSTHROUGH, guard.state());
        assertFalse(guard.readsFromDisk(), "a failing disk is not read either");
        assertFalse(guard.admits(10));
        assertTrue(guard.status().reason().startsWith("cache disk failing"), guard.status().reason());

        // The disk here works: the next probe passes and caching resumes.
        await(() -> guard.state() == State.ACTIVE, "resume after a passing probe");
        assertTrue(guard.readsFromDisk());
        assertEquals(List.of(State.PASSTHROUGH, State.ACTIVE), seen);
    }

    private ChunkStore store(CacheStats stats) throws IOException {
        ChunkStore store = ChunkStore.open(cacheDir, stats);
        open.add(store);
        return store;
    }

    private CacheGuard guard(ChunkStore store, CacheStats stats, CacheGuard.Limits limits) {
        CacheGuard guard = new CacheGuard(store, stats, limits, () -> h -> false, (now, previous, reason) -> { });
        open.add(guard);
        return guard;
    }

    private static List<Long> writeChunks(ChunkStore store, int count) throws IOException {
        Random random = new Random(count);
        List<Long> hashes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[4096];
            random.nextBytes(bytes);
            ByteBuffer buf = ChunkStore.allocateChunkBuffer(bytes.length).put(bytes).flip();
            long hash = ChunkStore.hash(buf);
            store.write(hash, buf);
            hashes.add(hash);
        }
        return hashes;
    }
}
