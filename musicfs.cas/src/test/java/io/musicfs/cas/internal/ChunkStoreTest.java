package io.musicfs.cas.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {

    @TempDir
    Path cacheDir;
    private final CacheStats stats = new CacheStats();
    private ChunkStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void theHashIsStandardXxHash64WithSeedZero() {
        // Reference values of xxHash64 (seed 0), as printed by `xxhsum -H64`.
        assertEquals(0xef46db3751d8e999L, ChunkStore.hash(ByteBuffer.allocateDirect(0)));
        assertEquals(0x44bc2cf5ad770999L, ChunkStore.hash(direct("abc".getBytes(StandardCharsets.US_ASCII))));
        ByteBuffer moved = direct("xabc".getBytes(StandardCharsets.US_ASCII));
        moved.position(1);
        assertEquals(0x44bc2cf5ad770999L, ChunkStore.hash(moved));
        assertEquals(1, moved.position(), "hashing does not move the buffer");
    }

    @Test
    void aChunkIsStoredUnderItsHashInTwoLevelsOfShardsAndReadBackVerified() throws Exception {
        store = open();
        byte[] bytes = random(100_000);
        ByteBuffer src = direct(bytes);
        long hash = ChunkStore.hash(src);
        store.write(hash, src);

        String name = ChunkStore.name(hash);
        assertEquals(16, name.length());
        Path expected = cacheDir.resolve("chunks").resolve(name.substring(0, 2)).resolve(name.substring(2, 4)).resolve(name);
        assertEquals(expected, store.pathOf(hash));
        assertArrayEquals(bytes, Files.readAllBytes(expected));

        ByteBuffer dst = ChunkStore.allocateChunkBuffer(128 << 10);
        assertTrue(store.read(hash, bytes.length, dst));
        assertEquals(0, dst.position());
        assertEquals(bytes.length, dst.limit());
        byte[] back = new byte[bytes.length];
        dst.get(back);
        assertArrayEquals(bytes, back);

        awaitInventory();
        assertEquals(1, stats.chunks());
        assertEquals(bytes.length, stats.bytes());
        store.write(hash, src);
        assertEquals(1, stats.chunks(), "storing an existing chunk again adds nothing");
        try (var tmp = Files.list(cacheDir.resolve("chunks").resolve("tmp"))) {
            assertEquals(0, tmp.count(), "no temporary file left behind");
        }
    }

    @Test
    void aChunkOfTheWrongLengthOrContentIsDeletedAndNeverReturned() throws Exception {
        store = open();
        awaitInventory();
        byte[] bytes = random(4096);
        long hash = ChunkStore.hash(direct(bytes));
        ByteBuffer dst = ChunkStore.allocateChunkBuffer(8192);

        // Same key, other length: what a hash collision would look like.
        store.write(hash, direct(bytes));
        assertFalse(store.read(hash, 4095, dst));
        assertFalse(Files.exists(store.pathOf(hash)));
        assertEquals(0, dst.position());

        store.write(hash, direct(bytes));
        bytes[17] ^= 0x40;
        Files.write(store.pathOf(hash), bytes);
        assertFalse(store.read(hash, 4096, dst));
        assertFalse(Files.exists(store.pathOf(hash)));

        assertFalse(store.read(hash, 4096, dst), "missing");
        assertEquals(2, stats.badChunks(), "a missing chunk is not a bad one");
        assertEquals(0, stats.chunks());
        assertEquals(0, stats.bytes());
    }

    @Test
    void onceCountedTheStoreAnswersCollisionChecksFromWhatItHoldsAndTheWriteStillRefusesOtherBytes() throws Exception {
        byte[] planted = random(5000);
        byte[] claimed = random(5000);
        claimed[0] ^= 1; // other bytes arriving under the planted chunk's name: what a 64-bit collision looks like
        long hash = ChunkStore.hash(direct(planted));
        store = open();
        awaitInventory();
        // a valid chunk file the store never wrote nor counted (put there behind its back after the inventory)
        Files.createDirectories(store.pathOf(hash).getParent());
        Files.write(store.pathOf(hash), planted);

        assertFalse(store.collides(hash, direct(claimed)), "not a chunk the store holds: the reader's check does not look at the disk");
        assertThrows(ChunkStore.ChunkCollision.class, () -> store.write(hash, direct(claimed)), "the write does, and refuses");
        assertArrayEquals(planted, Files.readAllBytes(store.pathOf(hash)), "and leaves the file alone");

        // once counted, the same check compares the bytes
        store.close();
        store = open();
        awaitInventory();
        assertTrue(store.collides(hash, direct(claimed)));
        assertFalse(store.collides(hash, direct(planted)));
    }

    @Test
    void openingRemovesLeftoverTemporaryFilesAndCountsWhatIsStored() throws Exception {
        store = open();
        long total = 0;
        for (int i = 0; i < 50; i++) {
            ByteBuffer chunk = direct(random(1000 + i));
            store.write(ChunkStore.hash(chunk), chunk);
            total += 1000 + i;
        }
        store.close();
        Path tmp = cacheDir.resolve("chunks").resolve("tmp");
        Files.writeString(tmp.resolve("leftover.tmp"), "killed mid-write");
        Files.writeString(cacheDir.resolve("chunks").resolve("stray-file"), "not a chunk");

        CacheStats fresh = new CacheStats();
        store = ChunkStore.open(cacheDir, fresh);
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!fresh.inventoryComplete() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(50, fresh.chunks());
        assertEquals(total, fresh.bytes());
    }

    @Test
    void aReadCutShortByInterruptingItsThreadLeavesTheChunkAlone() throws Exception {
        store = open();
        byte[] bytes = random(100_000);
        long hash = ChunkStore.hash(direct(bytes));
        store.write(hash, direct(bytes));
        ByteBuffer dst = ChunkStore.allocateChunkBuffer(128 << 10);

        Thread.currentThread().interrupt(); // a read-ahead thread stopped at deactivation
        try {
            assertFalse(store.read(hash, bytes.length, dst));
        } finally {
            Thread.interrupted();
        }
        assertTrue(Files.exists(store.pathOf(hash)), "a good chunk was deleted");
        assertEquals(0, stats.badChunks());
        assertTrue(store.read(hash, bytes.length, dst));
    }

    private ChunkStore open() throws IOException {
        return ChunkStore.open(cacheDir, stats);
    }

    private void awaitInventory() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!stats.inventoryComplete() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(stats.inventoryComplete());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ChunkStore.allocateChunkBuffer(bytes.length);
        b.put(bytes).flip();
        return b;
    }
}
