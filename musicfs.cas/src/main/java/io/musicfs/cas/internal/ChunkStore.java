package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;

import net.jpountz.xxhash.XXHash64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk files on disk: one file per distinct chunk content, named by the content's xxHash64,
 * in {@code <cacheDir>/chunks/ab/cd/abcd0123456789ef}: the first two bytes of the hash pick the
 * directories, so a terabyte of 1 MiB chunks puts about 16 files in each of the 65536 leaves.
 *
 * <p>What it guarantees: a chunk file appears under its name only complete and fsynced (written to
 * {@code chunks/tmp/}, forced, then renamed atomically), so a crash at any moment leaves either no
 * chunk or a whole one; {@link #read} hands out bytes only after checking their length and hash, and
 * deletes a file that fails either check. Leftover temporary files are removed when the store opens.
 * The directory is not fsynced after the rename: after a power loss the newest chunks may be missing,
 * which costs a refetch (a missing chunk is a miss), never wrong bytes, while a second synchronous
 * flush per chunk would slow every cold read.
 *
 * <p>It keeps no index: the file system is the index. {@link CacheStats} is told of every chunk
 * added or removed, and a background inventory started at open counts what earlier runs left, so
 * the counts are exact once {@link CacheStats#inventoryComplete()} (the base for size limits).
 *
 * <p>Threading: every method may be called from any thread at once. Reads take no lock. Changes to
 * the set of chunk files (rename in, delete) and the counting of them hold the monitor of the chunk's
 * top-level shard ({@code ab}), which the inventory also holds while it counts that shard; this
 * makes "exists? then rename" and the counts exact without a global lock. A shard monitor is a leaf:
 * nothing else is locked or called back while it is held.
 *
 * <p>Known race, harmless by design: a reader that finds a bad chunk deletes it by name; if another
 * thread stored a good copy of the same hash in between, the good copy is deleted and later fetched
 * again. Bytes are never wrong, at worst fetched twice.
 */
public final class ChunkStore implements AutoCloseable {

    /**
     * Seed of every chunk hash. Zero is xxHash64's standard seed, so a chunk file's name is the XXH64
     * that xxHash's own tool prints for it ({@code xxh64sum <file>}) and anyone can check a chunk by
     * hand. Changing it orphans every chunk and manifest ever written.
     */
    public static final long HASH_SEED = 0L;

    /** Sub-directory of the cache directory that holds the chunk tree. */
    static final String CHUNKS_DIR = "chunks";
    /** Sub-directory of {@link #CHUNKS_DIR} for chunks being written; same file system, so rename is atomic. */
    static final String TMP_DIR = "tmp";
    /** Suffix of files in {@link #TMP_DIR}. */
    private static final String TMP_SUFFIX = ".tmp";
    /** Hex digits in a chunk name: a 64-bit hash. */
    private static final int NAME_LENGTH = 16;
    /** Top-level shard directories: one per value of the hash's first byte, each with its own monitor. */
    private static final int SHARDS = 256;
    /** How long {@link #close} waits for the inventory thread to notice it was interrupted. */
    private static final long INVENTORY_STOP_WAIT_MILLIS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(ChunkStore.class);
    private static final HexFormat HEX = HexFormat.of();
    /** xxHash64, JNI where it loads (see {@link XxHash}). */
    private static final XXHash64 XXHASH = XxHash.pick();

    private final Path chunksDir;
    private final Path tmpDir;
    private final CacheStats stats;
    private final Thread inventory;

    // Guarded by shardLocks[i]: the existence of chunk files in shard i, and scanned[i] (whether the
    // inventory has counted shard i; until it has, changes there are left for it to count).
    private final Object[] shardLocks = new Object[SHARDS];
    private final boolean[] scanned = new boolean[SHARDS];

    private ChunkStore(Path cacheDir, CacheStats stats) {
        this.chunksDir = cacheDir.resolve(CHUNKS_DIR);
        this.tmpDir = chunksDir.resolve(TMP_DIR);
        this.stats = stats;
        for (int i = 0; i < SHARDS; i++) {
            shardLocks[i] = new Object();
        }
        this.inventory = new Thread(this::takeInventory, "musicfs-cas-inventory");
        this.inventory.setDaemon(true);
    }

    /**
     * Opens (creating when needed) the chunk tree under {@code cacheDir}, removes leftover temporary
     * files and starts the inventory in the background.
     *
     * @throws IOException when the directory cannot be created, written or cleaned; the message
     *     names the directory
     */
    public static ChunkStore open(Path cacheDir, CacheStats stats) throws IOException {
        ChunkStore store = new ChunkStore(cacheDir, stats);
        try {
            Files.createDirectories(store.tmpDir);
            store.removeLeftoverTemporaries();
            if (!Files.isWritable(store.chunksDir)) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            throw new IOException("chunk store " + store.chunksDir + ": cannot open: " + e, e);
        }
        store.inventory.start();
        return store;
    }

    /** @return the xxHash64 of {@code buf}'s remaining bytes with {@link #HASH_SEED}; the buffer is not moved */
    public static long hash(ByteBuffer buf) {
        return XXHASH.hash(buf, buf.position(), buf.remaining(), HASH_SEED);
    }

    /** @return the 16 lower-case hex digits that name the chunk */
    public static String name(long hash) {
        return HEX.toHexDigits(hash);
    }

    /** @return where the chunk with this hash lives (whether or not it exists) */
    public Path pathOf(long hash) {
        String name = name(hash);
        return chunksDir.resolve(name.substring(0, 2)).resolve(name.substring(2, 4)).resolve(name);
    }

    /**
     * Reads a chunk into {@code dst} and verifies it. On return {@code dst} is cleared and, when the
     * chunk is good, holds it from position 0 to limit {@code expectedLength}.
     *
     * @param dst a buffer with capacity of at least {@code expectedLength}; direct for speed
     * @return true when the chunk is present, {@code expectedLength} bytes long and hashes to
     *     {@code hash}; false when it is missing or bad, in which case a bad file has been deleted
     *     and the caller fetches the chunk again (false too, deleting nothing, when the calling thread
     *     is interrupted while it reads)
     */
    public boolean read(long hash, int expectedLength, ByteBuffer dst) {
        Path path = pathOf(hash);
        dst.clear().limit(expectedLength);
        String problem;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != expectedLength) {
                problem = "length " + size + ", expected " + expectedLength;
            } else {
                while (dst.hasRemaining() && ch.read(dst, dst.position()) >= 0) {
                    // FileChannel reads in pieces of the OS's choosing; loop until the chunk is in.
                }
                dst.flip();
                if (dst.remaining() != expectedLength) {
                    problem = "read " + dst.remaining() + " bytes, expected " + expectedLength;
                } else {
                    long actual = hash(dst);
                    if (actual == hash) {
                        return true;
                    }
                    problem = "content hashes to " + name(actual);
                }
            }
        } catch (NoSuchFileException e) {
            dst.clear();
            return false;
        } catch (AsynchronousCloseException e) {
            // The reading thread was interrupted (a read-ahead stopped at deactivation): the chunk is not to blame.
            dst.clear();
            return false;
        } catch (IOException e) {
            problem = "unreadable: " + e;
        }
        dst.clear();
        LOG.warn("chunk store: bad chunk {} ({}), deleting it so it is fetched again", path, problem);
        stats.badChunk();
        discard(hash);
        return false;
    }

    /**
     * Stores {@code src}'s remaining bytes as the chunk {@code hash}, crash-safely: temporary file,
     * fsync, atomic rename. Does nothing when the chunk is already stored (same content, same name).
     * The buffer is not moved.
     *
     * @param hash the caller's {@link #hash} of exactly these bytes
     * @throws IOException when the chunk cannot be written; nothing is left under its name
     */
    public void write(long hash, ByteBuffer src) throws IOException {
        Path target = pathOf(hash);
        int length = src.remaining();
        if (Files.exists(target)) {
            // Another file's identical chunk: skip the write and its fsync. Checked again under the
            // shard monitor before the rename, which is what makes it exact.
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(tmpDir, name(hash) + ".", TMP_SUFFIX);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer view = src.duplicate();
                while (view.hasRemaining()) {
                    ch.write(view, view.position() - src.position());
                }
                ch.force(true);
            }
            Files.createDirectories(target.getParent());
            int shard = shardOf(hash);
            synchronized (shardLocks[shard]) {
                if (Files.exists(target)) {
                    return; // another file's identical chunk, or a concurrent fetch of this one
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
                if (scanned[shard]) {
                    stats.chunkAdded(length);
                }
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("chunk store " + chunksDir + ": " + TMP_DIR + "/ and the chunk tree must be on one file system", e);
        } catch (IOException e) {
            throw new IOException("chunk store: cannot write chunk " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Stops the inventory. The store's files stay; reads and writes keep working. */
    @Override
    public void close() {
        inventory.interrupt();
        try {
            inventory.join(INVENTORY_STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the chunk file, counting it when the inventory has already counted its shard. */
    private void discard(long hash) {
        Path path = pathOf(hash);
        int shard = shardOf(hash);
        synchronized (shardLocks[shard]) {
            try {
                long size = Files.size(path);
                Files.delete(path);
                if (scanned[shard]) {
                    stats.chunkRemoved(size);
                }
            } catch (NoSuchFileException e) {
                // already gone: deleted by a concurrent reader of the same bad chunk
            } catch (IOException e) {
                LOG.warn("chunk store: cannot delete bad chunk {}: {}", path, e.toString());
            }
        }
    }

    private void removeLeftoverTemporaries() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmpDir)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
                removed++;
            }
        }
        if (removed > 0) {
            LOG.info("chunk store {}: removed {} temporary files left by an interrupted run", chunksDir, removed);
        }
    }

    /** Counts the chunk files earlier runs left, one top-level shard at a time under its monitor. */
    private void takeInventory() {
        long start = System.nanoTime();
        int strays = 0;
        try {
            for (int shard = 0; shard < SHARDS; shard++) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                synchronized (shardLocks[shard]) {
                    strays += countShard(shard);
                    scanned[shard] = true;
                }
            }
            stats.inventoryDone();
            LOG.info("chunk store {}: inventory done in {} ms: {}", chunksDir, (System.nanoTime() - start) / 1_000_000, stats);
            if (strays > 0) {
                LOG.warn("chunk store {}: {} files that are not chunks (wrong name or place) are ignored", chunksDir, strays);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("chunk store {}: inventory failed, cache size unknown until restart: {}", chunksDir, e.toString(), e);
        }
    }

    /** Caller holds {@code shardLocks[shard]}. @return the number of stray files seen */
    private int countShard(int shard) throws IOException {
        Path top = chunksDir.resolve(HEX.toHexDigits((byte) shard));
        if (!Files.isDirectory(top)) {
            return 0;
        }
        int strays = 0;
        try (DirectoryStream<Path> middles = Files.newDirectoryStream(top)) {
            for (Path middle : middles) {
                try (DirectoryStream<Path> chunks = Files.newDirectoryStream(middle)) {
                    for (Path chunk : chunks) {
                        String name = chunk.getFileName().toString();
                        BasicFileAttributes attrs = Files.readAttributes(chunk, BasicFileAttributes.class);
                        if (attrs.isRegularFile() && isChunkName(name)
                                && chunk.equals(pathOf(HexFormat.fromHexDigitsToLong(name)))) {
                            stats.chunkAdded(attrs.size());
                        } else {
                            strays++;
                        }
                    }
                } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
                    strays++;
                }
            }
        }
        return strays;
    }

    private static boolean isChunkName(String name) {
        if (name.length() != NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < NAME_LENGTH; i++) {
            if (Character.digit(name.charAt(i), 16) < 0 || Character.isUpperCase(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int shardOf(long hash) {
        return (int) (hash >>> 56);
    }

    /** Buffers for chunks: direct, and little-endian so hashing reads them without a byte-order view. */
    static ByteBuffer allocateChunkBuffer(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}
