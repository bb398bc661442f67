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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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
    private final ChunkIndex index = new ChunkIndex();
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
        this.inventory.setPriority(Thread.MIN_PRIORITY); // background work yields the CPU to reads (README: "CPU priorities")
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
        return readChunk(hash, expectedLength, dst) == Read.GOOD;
    }

    /** What {@link #readChunk} found. */
    enum Read {
        /** present and verified */
        GOOD,
        /** no file under the name although the store counted one: lost behind its back */
        MISSING,
        /** no file and none counted: evicted, cleared, or removed while the daemon was stopped (a plain miss) */
        ABSENT,
        /** bad (deleted), or the reading thread was interrupted */
        FAILED
    }

    /** {@link #read}, telling a missing chunk from a bad one. */
    Read readChunk(long hash, int expectedLength, ByteBuffer dst) {
        if (scanned[shardOf(hash)] && !index.contains(hash)) {
            // Counted shard, chunk not in it: no file (see collides), and no failed open on the reader's thread to learn it.
            dst.clear();
            return Read.ABSENT;
        }
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
                        index.accessed(hash, System.currentTimeMillis());
                        return Read.GOOD;
                    }
                    problem = "content hashes to " + name(actual);
                }
            }
        } catch (NoSuchFileException e) {
            dst.clear();
            if (!index.contains(hash)) {
                return Read.ABSENT;
            }
            {
                // counted but gone: deleted behind the store's back; the counts follow the disk
                int shard = shardOf(hash);
                synchronized (shardLocks[shard]) {
                    if (scanned[shard] && !Files.exists(path)) {
                        forgetMissing(hash); // the reader, which knows the chunk was recorded, reports it
                    }
                }
            }
            return Read.MISSING;
        } catch (AsynchronousCloseException e) {
            // The reading thread was interrupted (a read-ahead stopped at deactivation): the chunk is not to blame.
            dst.clear();
            return Read.FAILED;
        } catch (IOException e) {
            problem = "unreadable: " + e;
        }
        dst.clear();
        LOG.warn("chunk store: bad chunk {} ({}), deleting it so it is fetched again", path, problem);
        stats.badChunk();
        discard(hash);
        return Read.FAILED;
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
        if (Files.exists(target) && holds(target, hash, src)) {
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
            if (!Files.isDirectory(target.getParent())) {
                Files.createDirectories(target.getParent()); // which on an existing directory costs an exception
            }
            int shard = shardOf(hash);
            synchronized (shardLocks[shard]) {
                if (Files.exists(target)) {
                    return; // another file's identical chunk, or a concurrent fetch of this one
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
                if (scanned[shard] && index.added(hash, length, System.currentTimeMillis())) {
                    stats.chunkAdded(length);
                }
            }
        } catch (ChunkCollision e) {
            throw e;
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

    /**
     * Deletes the chunk file, counting it when the inventory has already counted its shard.
     *
     * @return the bytes freed; 0 when it was not there or could not be deleted (logged)
     */
    long discard(long hash) {
        Path path = pathOf(hash);
        int shard = shardOf(hash);
        synchronized (shardLocks[shard]) {
            try {
                long size = Files.size(path);
                Files.delete(path);
                if (scanned[shard]) {
                    uncount(hash, size);
                }
                return size;
            } catch (NoSuchFileException e) {
                // already gone (deleted by a concurrent reader of the same bad chunk, or behind our back)
                if (scanned[shard]) {
                    forgetMissing(hash);
                }
                return 0;
            } catch (IOException e) {
                LOG.warn("chunk store: cannot delete chunk {}: {}", path, e.toString());
                return 0;
            }
        }
    }

    /** Caller holds the chunk's shard monitor, and its shard is counted. */
    private void uncount(long hash, long size) {
        ChunkIndex.Entry gone = index.removed(hash);
        if (gone != null) {
            stats.chunkRemoved(gone.size);
        } else if (size >= 0) {
            // a file the index did not know (put there behind the store's back): the counts never had it
            LOG.debug("chunk store: deleted chunk {} that was not counted", name(hash));
        }
    }

    /** Caller holds the chunk's shard monitor: the file is gone, drop what the index had of it. @return whether it had it */
    private boolean forgetMissing(long hash) {
        ChunkIndex.Entry gone = index.removed(hash);
        if (gone != null) {
            stats.chunkRemoved(gone.size);
            return true;
        }
        return false;
    }

    /** The chunk's name is taken by different bytes that hash the same: a 64-bit hash collision. Never cached. */
    static final class ChunkCollision extends IOException {
        private static final long serialVersionUID = 1L;

        ChunkCollision(String message) {
            super(message);
        }
    }

    /**
     * Whether the chunk file at {@code target} holds exactly {@code src}'s bytes. A file whose bytes
     * are not what its name says is damaged: it is deleted and false returned, so the caller writes
     * the good copy. A good file with other bytes is a hash collision.
     *
     * @throws ChunkCollision when the file is a valid chunk of other content under the same hash
     */
    private boolean holds(Path target, long hash, ByteBuffer src) throws IOException {
        int length = src.remaining();
        ByteBuffer existing = allocateChunkBuffer(length);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
            if (ch.size() == length) {
                while (existing.hasRemaining() && ch.read(existing, existing.position()) >= 0) {
                    // read the whole file
                }
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        existing.flip();
        if (existing.remaining() == length && existing.equals(src.duplicate().order(existing.order()))) {
            return true;
        }
        if (existing.remaining() == length && hash(existing) == hash) {
            throw new ChunkCollision("chunk store: chunk " + target + " holds other bytes with the same xxHash64 (a hash collision);"
                    + " the new chunk is served but never cached");
        }
        LOG.warn("chunk store: chunk {} does not hold what its name says, replacing it", target);
        stats.badChunk();
        discard(hash);
        return false;
    }

    /**
     * @return whether a chunk file named {@code hash} holds other bytes than {@code src} while
     *     hashing to its name: a hash collision, so {@code src} must not be cached under that name
     */
    boolean collides(long hash, ByteBuffer src) throws IOException {
        if (scanned[shardOf(hash)] && !index.contains(hash)) {
            // The inventory has counted this shard and the store adds every chunk it renames in: no
            // file under this name, and no system call on the reader's thread to learn it (on a
            // cold dentry cache even a failed lookup reads the disk). A stale read of the flag only
            // costs the lookup below; a chunk put there behind the store's back meets the writer's check.
            return false;
        }
        Path target = pathOf(hash);
        if (!Files.exists(target)) {
            return false;
        }
        try {
            holds(target, hash, src);
            return false;
        } catch (ChunkCollision e) {
            return true;
        }
    }

    /** @return what the size limit knows of the chunks on disk */
    ChunkIndex index() {
        return index;
    }

    /** @return the chunk tree's directory */
    Path directory() {
        return chunksDir;
    }

    /** A reader used the chunk (from memory): it moves to the back of the eviction order. */
    void accessed(long hash) {
        index.accessed(hash, System.currentTimeMillis());
    }

    /**
     * Writes the last access of every chunk read since the last call into its file's modification
     * time, where the inventory finds it after a restart. A chunk deleted meanwhile is skipped.
     *
     * @return how many chunk files were touched
     */
    int persistAccess() {
        int touched = 0;
        for (ChunkIndex.Entry e : index.unpersisted()) {
            long at = e.lastAccessMillis;
            try {
                Files.setLastModifiedTime(pathOf(e.hash), java.nio.file.attribute.FileTime.fromMillis(at));
                e.persistedMillis = at;
                touched++;
            } catch (NoSuchFileException gone) {
                e.persistedMillis = at;
            } catch (IOException failed) {
                LOG.debug("chunk store: cannot note the last access of chunk {}: {}", name(e.hash), failed.toString());
                return touched; // the disk is failing: the probe notices; try again next time
            }
        }
        return touched;
    }

    /**
     * Deletes least recently used chunks until the store holds at most {@code targetBytes}; chunks
     * that {@code keepLast} names, and those added or read since {@code sinceMillis}, go last
     * ({@link ChunkIndex#evictionOrder}).
     *
     * @return the chunks deleted
     */
    int evict(long targetBytes, java.util.function.LongPredicate keepLast, long sinceMillis) {
        if (stats.bytes() <= targetBytes) {
            return 0;
        }
        int evicted = 0;
        for (ChunkIndex.Entry e : index.evictionOrder(keepLast, sinceMillis)) {
            if (stats.bytes() <= targetBytes || Thread.currentThread().isInterrupted()) {
                break;
            }
            if (discard(e.hash) > 0) {
                evicted++;
            }
        }
        return evicted;
    }

    /**
     * Deletes the given chunks.
     *
     * @return the bytes freed
     */
    long discardAll(Iterable<Long> hashes) {
        long freed = 0;
        for (long hash : hashes) {
            freed += discard(hash);
        }
        return freed;
    }

    /** What {@link #verify} found. */
    record Verification(long checked, long corrupt, long missing, long unindexed, boolean accountingFixed) {
    }

    /**
     * Reads and hashes chunks, deletes the bad ones and drops from the counts those that are gone.
     * With {@code all} it also walks the whole tree: files that are not chunks, and chunks the counts
     * do not know, are deleted; afterwards the counts are exactly the files on disk.
     *
     * @param sample chunks to check when not {@code all}, picked at random
     */
    Verification verify(boolean all, int sample, io.musicfs.api.cache.Progress progress) throws InterruptedException {
        List<ChunkIndex.Entry> entries = index.snapshot();
        if (!all && entries.size() > sample) {
            java.util.Collections.shuffle(entries);
            entries = entries.subList(0, sample);
        }
        long checked = 0;
        long corrupt = 0;
        long missing = 0;
        ByteBuffer buf = null;
        for (ChunkIndex.Entry e : entries) {
            if (Thread.interrupted()) {
                throw new InterruptedException("cache verification interrupted");
            }
            if (buf == null || buf.capacity() < e.size) {
                buf = allocateChunkBuffer((int) e.size);
            }
            switch (check(e.hash, (int) e.size, buf)) {
                case GOOD -> checked++;
                case BAD -> {
                    checked++;
                    corrupt++;
                }
                case MISSING -> missing++;
            }
            if (progress != null) {
                progress.update(checked + missing, entries.size());
            }
        }
        long unindexed = 0;
        boolean fixed = false;
        if (all) {
            long[] walked = walkAndReconcile();
            unindexed = walked[0];
            fixed = walked[1] != 0;
        }
        return new Verification(checked, corrupt, missing, unindexed, fixed);
    }

    private enum Check { GOOD, BAD, MISSING }

    /** Reads one chunk without touching its access time: deletes it when bad, forgets it when missing. */
    private Check check(long hash, int size, ByteBuffer buf) {
        Path path = pathOf(hash);
        buf.clear().limit(size);
        String problem;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() != size) {
                problem = "length " + ch.size() + ", expected " + size;
            } else {
                while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
                    // read it all
                }
                buf.flip();
                long actual = hash(buf);
                if (buf.remaining() == size && actual == hash) {
                    return Check.GOOD;
                }
                problem = "content hashes to " + name(actual);
            }
        } catch (NoSuchFileException e) {
            int shard = shardOf(hash);
            synchronized (shardLocks[shard]) {
                if (!Files.exists(path) && scanned[shard] && forgetMissing(hash)) {
                    LOG.warn("chunk store: verify: chunk {} is missing; dropped, it is fetched again when read", path);
                    stats.badChunk();
                    return Check.MISSING;
                }
            }
            return Check.GOOD; // rewritten or evicted meanwhile
        } catch (IOException e) {
            problem = "unreadable: " + e;
        }
        LOG.warn("chunk store: verify: bad chunk {} ({}), deleted; it is fetched again when read", path, problem);
        stats.badChunk();
        discard(hash);
        return Check.BAD;
    }

    /**
     * Walks the whole chunk tree, shard by shard under its monitor: deletes files that are not
     * chunks and chunks the counts do not know, drops from the counts chunks that are not on disk,
     * and sets the counts to exactly what is there.
     *
     * @return {unindexed files deleted, 1 when the counts were wrong and corrected else 0}
     */
    private long[] walkAndReconcile() throws InterruptedException {
        long unindexed = 0;
        boolean wrong = false;
        java.util.Set<Long> onDisk = new java.util.HashSet<>();
        long bytes = 0;
        for (int shard = 0; shard < SHARDS; shard++) {
            if (Thread.interrupted()) {
                throw new InterruptedException("cache verification interrupted");
            }
            synchronized (shardLocks[shard]) {
                if (!scanned[shard]) {
                    continue; // the inventory counts it
                }
                Path top = chunksDir.resolve(HEX.toHexDigits((byte) shard));
                List<Path> files = new ArrayList<>();
                try {
                    if (Files.isDirectory(top)) {
                        try (var walk = Files.walk(top)) {
                            walk.filter(p -> !Files.isDirectory(p)).forEach(files::add);
                        }
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    LOG.warn("chunk store: verify: cannot walk {}: {}", top, e.toString());
                    continue;
                }
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    boolean chunk = isChunkName(name) && file.equals(pathOf(HexFormat.fromHexDigitsToLong(name)));
                    ChunkIndex.Entry known = chunk ? index.get(HexFormat.fromHexDigitsToLong(name)) : null;
                    long size;
                    try {
                        size = Files.size(file);
                    } catch (IOException e) {
                        continue;
                    }
                    if (known == null || known.size != size) {
                        try {
                            Files.delete(file);
                            unindexed++;
                            LOG.warn("chunk store: verify: deleted {} ({})", file,
                                    !chunk ? "not a chunk file" : known == null ? "a chunk the cache did not count" : "length differs");
                            if (known != null) {
                                forgetMissing(known.hash);
                            }
                        } catch (IOException e) {
                            LOG.warn("chunk store: verify: cannot delete {}: {}", file, e.toString());
                        }
                        continue;
                    }
                    onDisk.add(known.hash);
                    bytes += size;
                }
                for (ChunkIndex.Entry e : index.snapshot()) {
                    if (shardOf(e.hash) == shard && !onDisk.contains(e.hash)) {
                        forgetMissing(e.hash);
                        wrong = true;
                    }
                }
            }
        }
        if (stats.chunks() != onDisk.size() || stats.bytes() != bytes) {
            LOG.warn("chunk store: verify: counts said {} chunks, {} bytes; the disk holds {} chunks, {} bytes; corrected",
                    stats.chunks(), stats.bytes(), onDisk.size(), bytes);
            stats.reset(onDisk.size(), bytes);
            wrong = true;
        }
        return new long[] {unindexed, wrong ? 1 : 0};
    }

    /** @return bytes free for an unprivileged writer on the cache's file system */
    long usableSpace() throws IOException {
        return Files.getFileStore(chunksDir).getUsableSpace();
    }

    /** @return the size of the cache's file system */
    long totalSpace() throws IOException {
        return Files.getFileStore(chunksDir).getTotalSpace();
    }

    /** @return whether the cache's file system is mounted read-only now */
    boolean readOnly() throws IOException {
        return Files.getFileStore(chunksDir).isReadOnly();
    }

    /** Writes, fsyncs, reads back and deletes a small file where chunks are written: whether the disk takes writes now. */
    void probe() throws IOException {
        Path probe = Files.createTempFile(tmpDir, "probe.", TMP_SUFFIX);
        try {
            ByteBuffer data = ByteBuffer.allocate(4096);
            for (int i = 0; i < data.capacity(); i++) {
                data.put(i, (byte) i);
            }
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.WRITE)) {
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                ch.force(true);
            }
            if (Files.size(probe) != data.capacity()) {
                throw new IOException("probe file " + probe + " has the wrong length after writing");
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Deletes every chunk file.
     *
     * @return the bytes freed
     */
    long clear() {
        long freed = 0;
        for (ChunkIndex.Entry e : index.snapshot()) {
            freed += discard(e.hash);
        }
        return freed;
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
                            long hash = HexFormat.fromHexDigitsToLong(name);
                            if (index.added(hash, attrs.size(), attrs.lastModifiedTime().toMillis())) {
                                stats.chunkAdded(attrs.size());
                            }
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
