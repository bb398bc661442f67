package io.musicfs.cas.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.musicfs.api.content.ContentReader;
import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;
import io.musicfs.cas.internal.ChunkBufferPool.Buffer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a catalogued file's bytes through the chunk cache. A read is cut into the file's chunks;
 * each comes from memory ({@link ChunkBufferPool}), else from disk ({@link ChunkStore}, hash
 * verified), else from the first origin the {@link OriginRouter} names that delivers it within its
 * deadline ({@link OriginReads}), and is then stored and recorded in the file's {@link Manifest}.
 *
 * <h2>Threading</h2>
 * {@link #read} runs on the caller's thread (a FUSE thread), for any number of callers at once.
 * The first reader of an uncached chunk leads its fetch: it registers in {@code inFlight}, tries the
 * origins (each call on {@link OriginReads}' pool, waited for at most the origin's deadline),
 * stores, records and publishes the chunk, then completes its future; readers of the same chunk
 * meanwhile wait on that future (bounded too) and take the chunk from memory. Reads of different
 * chunks share nothing but the leaf locks below, so one file never waits on another.
 *
 * <p>Threads this component starts, and {@link #deactivate} stops: {@link OriginReads}' pool
 * ({@code musicfs-cas-origin-N}) and the {@link ChunkStore} inventory ({@code musicfs-cas-inventory}).
 *
 * <h2>Lock order</h2>
 * No thread ever holds two locks. The ones there are leaves: the {@link ChunkBufferPool} monitor
 * (bookkeeping only), a {@link ChunkStore} shard monitor (rename or delete of one chunk file), and an
 * {@link OriginReads} per-origin slot (a semaphore, never waited on without a deadline). Nothing is
 * locked while an origin, the router or the manifest store is called. {@code inFlight} is a
 * concurrent map, {@code settings} a volatile immutable snapshot.
 */
@Component(configurationPid = CachedContentReader.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = ContentReader.class)
@Designate(ocd = CachedContentReader.Config.class)
public final class CachedContentReader implements ContentReader {

    /** The configuration PID. */
    public static final String PID = "musicfs.cas";

    /** 1 MiB: several seconds of lossless audio, so a track start costs one origin round trip. */
    static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    /** Half the kernel's 128 KiB FUSE read; smaller chunks only add files and round trips. */
    static final int MIN_CHUNK_SIZE = 64 << 10;
    /** Above this a cold read waits too long for its first byte, and buffers grow large. */
    static final int MAX_CHUNK_SIZE = 16 << 20;
    /** Direct memory kept for chunk buffers (the recently verified chunks live there), whatever the chunk size. */
    static final long BUFFER_MEMORY_BYTES = 64L << 20;
    /** Buffers kept even with the largest chunks, so a few readers still find their chunk in memory. */
    static final int MIN_BUFFERS = 4;
    /** A read waits for at most this many origins' deadlines for one chunk before it fails. */
    static final int MAX_ORIGINS_PER_CHUNK = 3;
    /** What a leader may take beyond its origin deadlines to store a chunk before its followers give up. */
    static final long STORE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * Times a reader looks for a chunk another reader just fetched before it fails: it can miss only
     * if memory was reused and the disk write failed in between, twice.
     */
    static final int MAX_FETCH_ROUNDS = 3;
    /** At most one warning per this interval for a repeated failure of the cache itself; the rest go to debug. */
    static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    @ObjectClassDefinition(name = "MusicFS chunk cache",
            description = "Where file contents are cached, in what chunk size, and how long a read waits for an origin.")
    public @interface Config {

        @AttributeDefinition(name = "Cache directory",
                description = "Absolute path of the cache directory; created when missing. A change applies at the next restart.")
        String cacheDir();

        @AttributeDefinition(name = "Chunk size",
                description = "Bytes per chunk: a power of two from 65536 (64 KiB) to 16777216 (16 MiB). A change applies at the next"
                        + " restart, and then every file is fetched again.",
                min = "65536", max = "16777216")
        int chunkSize() default DEFAULT_CHUNK_SIZE;

        @AttributeDefinition(name = "Local origin deadline",
                description = "Milliseconds a read waits for a local origin before trying the next one.", min = "1")
        long localDeadlineMillis() default 5000;

        @AttributeDefinition(name = "Remote origin deadline",
                description = "Milliseconds a read waits for a remote origin (S3, SFTP) before trying the next one.", min = "1")
        long remoteDeadlineMillis() default 30000;
    }

    /** A validated configuration. */
    record Settings(Path cacheDir, int chunkSize, long localDeadlineNanos, long remoteDeadlineNanos) {

        /** @throws IllegalArgumentException naming the property, for any invalid value */
        static Settings of(Config config) {
            String dir = config.cacheDir();
            if (dir == null || dir.isBlank()) {
                throw new IllegalArgumentException(PID + ": cacheDir is required");
            }
            Path cacheDir;
            try {
                cacheDir = Path.of(dir.strip());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(PID + ": cacheDir is not a valid path: " + e.getMessage(), e);
            }
            if (!cacheDir.isAbsolute()) {
                throw new IllegalArgumentException(PID + ": cacheDir must be an absolute path, got " + dir);
            }
            int chunkSize = config.chunkSize();
            if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
                throw new IllegalArgumentException(PID + ": chunkSize must be a power of two from " + MIN_CHUNK_SIZE + " to "
                        + MAX_CHUNK_SIZE + ", got " + chunkSize);
            }
            return new Settings(cacheDir.normalize(), chunkSize, deadline("localDeadlineMillis", config.localDeadlineMillis()),
                    deadline("remoteDeadlineMillis", config.remoteDeadlineMillis()));
        }

        private static long deadline(String property, long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException(PID + ": " + property + " must be at least 1, got " + millis);
            }
            return TimeUnit.MILLISECONDS.toNanos(millis);
        }

        long deadlineNanos(Origin origin) {
            return origin.remote() ? remoteDeadlineNanos : localDeadlineNanos;
        }
    }

    /** One chunk of one version of one file: the unit fetched once however many readers want it. */
    private record ChunkKey(TrackFile file, int index) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(CachedContentReader.class);

    // Fixed at activation.
    private final ManifestStore manifests;
    private final OriginRouter router;
    private final int chunkSize;
    private final CacheStats stats = new CacheStats();
    private final ChunkStore store;
    private final ChunkBufferPool buffers;
    private final OriginReads originReads;

    // Lock-free shared state.
    private volatile Settings settings;
    private volatile boolean stopped;
    private final ConcurrentHashMap<ChunkKey, CompletableFuture<Long>> inFlight = new ConcurrentHashMap<>();
    private final Throttle storeWarnings = new Throttle();
    private final Throttle manifestWarnings = new Throttle();

    /**
     * @throws IllegalArgumentException naming the property, for an invalid configuration
     * @throws IOException naming the directory, when the cache directory cannot be opened
     */
    @Activate
    public CachedContentReader(@Reference(name = "manifests") ManifestStore manifests, @Reference(name = "router") OriginRouter router,
            Config config) throws IOException {
        Settings s = Settings.of(config);
        this.manifests = manifests;
        this.router = router;
        this.settings = s;
        this.chunkSize = s.chunkSize();
        this.store = ChunkStore.open(s.cacheDir(), stats);
        this.buffers = new ChunkBufferPool(chunkSize, (int) Math.max(MIN_BUFFERS, BUFFER_MEMORY_BYTES / chunkSize));
        this.originReads = new OriginReads();
        LOG.info("content reader: cache {}, chunk size {}, deadlines local {} ms, remote {} ms", s.cacheDir(), chunkSize,
                TimeUnit.NANOSECONDS.toMillis(s.localDeadlineNanos()), TimeUnit.NANOSECONDS.toMillis(s.remoteDeadlineNanos()));
    }

    /**
     * Applies new deadlines at once. The cache directory and chunk size stay until a restart; an
     * invalid configuration is rejected as a whole and the running one stays.
     */
    @Modified
    void modified(Config config) {
        Settings now = settings;
        Settings asked;
        try {
            asked = Settings.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("content reader: configuration rejected, the running one stays: {}", e.getMessage());
            return;
        }
        if (!asked.cacheDir().equals(now.cacheDir()) || asked.chunkSize() != now.chunkSize()) {
            LOG.warn("content reader: cacheDir and chunkSize changes apply at the next restart; running with {} and {}",
                    now.cacheDir(), now.chunkSize());
        }
        settings = new Settings(now.cacheDir(), now.chunkSize(), asked.localDeadlineNanos(), asked.remoteDeadlineNanos());
    }

    @Deactivate
    void deactivate() {
        stopped = true;
        originReads.close();
        store.close();
        LOG.info("content reader: stopped; cache {}: {}", settings.cacheDir(), stats);
    }

    @Override
    public int read(TrackFile file, long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + describe(file));
        }
        if (stopped) {
            throw new IOException("content reader stopped; cannot read " + describe(file));
        }
        long size = file.size();
        if (offset >= size) {
            return -1;
        }
        int wanted = (int) Math.min(dst.remaining(), size - offset);
        if (wanted == 0) {
            return 0;
        }
        Settings s = settings;
        Manifest manifest = manifest(file);
        int start = dst.position();
        boolean filled = false;
        try {
            long end = offset + wanted;
            for (long pos = offset; pos < end; ) {
                int index = (int) (pos / chunkSize);
                long chunkStart = (long) index * chunkSize;
                int length = (int) Math.min(chunkSize, size - chunkStart);
                int from = (int) (pos - chunkStart);
                int n = (int) Math.min(end - pos, length - from);
                Buffer chunk = chunk(file, manifest, index, length, s);
                try {
                    dst.put(dst.position(), chunk.data, from, n);
                } finally {
                    buffers.release(chunk);
                }
                dst.position(dst.position() + n);
                pos += n;
            }
            filled = true;
            return wanted;
        } finally {
            if (!filled) {
                dst.position(start);
            }
        }
    }

    /** @return the counters of this cache */
    CacheStats stats() {
        return stats;
    }

    /** @return the chunk files */
    ChunkStore store() {
        return store;
    }

    /** @return the chunk buffers */
    ChunkBufferPool buffers() {
        return buffers;
    }

    /** @return the file's manifest, or null when the manifest store fails (every chunk is then fetched) */
    private Manifest manifest(TrackFile file) {
        Manifest m;
        try {
            m = manifests.load(file, chunkSize);
        } catch (IOException | RuntimeException e) {
            manifestWarnings.warn("content reader: cannot load the manifest of {}, reading from origins: {}", describe(file), e.toString());
            return null;
        }
        if (m.fileId() != file.fileId() || m.size() != file.size() || m.mtimeMillis() != file.mtimeMillis()
                || !Objects.equals(m.etag(), file.etag()) || m.chunkSize() != chunkSize) {
            // The store broke its contract; its hashes may belong to another version of the file.
            manifestWarnings.warn("content reader: manifest store returned a manifest of another version of {}, ignoring it: {}",
                    describe(file), m);
            return null;
        }
        return m;
    }

    /** @return chunk {@code index} of the file, pinned (release it), in {@code data} from 0 to {@code length} */
    private Buffer chunk(TrackFile file, Manifest manifest, int index, int length, Settings s) throws IOException {
        long hash = manifest == null ? Manifest.UNKNOWN : manifest.hash(index);
        if (hash != Manifest.UNKNOWN) {
            Buffer cached = cached(hash, length);
            if (cached != null) {
                stats.hit();
                return cached;
            }
            forget(file, index);
        }
        stats.miss();
        return fetch(file, index, length, s);
    }

    /** @return the verified chunk from memory or disk, pinned; null when it is in neither */
    private Buffer cached(long hash, int length) {
        Buffer b = buffers.pin(hash, length);
        if (b != null) {
            return b;
        }
        b = buffers.take();
        if (store.read(hash, length, b.data)) {
            buffers.publish(b, hash, length);
            return b;
        }
        buffers.release(b);
        return null;
    }

    /** Fetches the chunk, or waits for the reader already fetching it. */
    private Buffer fetch(TrackFile file, int index, int length, Settings s) throws IOException {
        ChunkKey key = new ChunkKey(file, index);
        for (int round = 0; round < MAX_FETCH_ROUNDS; round++) {
            CompletableFuture<Long> mine = new CompletableFuture<>();
            CompletableFuture<Long> leader = inFlight.putIfAbsent(key, mine);
            if (leader == null) {
                return lead(key, mine, length, s);
            }
            Long hash = follow(leader, file, index, s);
            if (hash != null) {
                Buffer b = cached(hash, length);
                if (b != null) {
                    return b;
                }
            }
        }
        throw new IOException(describe(file) + ": chunk " + index + " was fetched by other readers " + MAX_FETCH_ROUNDS
                + " times but could not be kept in memory or on disk");
    }

    /** Fetches the chunk for every reader waiting on {@code mine}, then unregisters. */
    private Buffer lead(ChunkKey key, CompletableFuture<Long> mine, int length, Settings s) throws IOException {
        TrackFile file = key.file();
        int index = key.index();
        Buffer b = null;
        try {
            // A leader that finished just before we registered has recorded the chunk by now.
            Manifest m = manifest(file);
            long known = m == null ? Manifest.UNKNOWN : m.hash(index);
            b = known == Manifest.UNKNOWN ? null : cached(known, length);
            if (b == null) {
                b = fetchFromOrigins(file, index, length, s);
                known = ChunkStore.hash(b.data);
                keep(file, index, known, b);
            }
            mine.complete(known);
            return b;
        } catch (IOException | RuntimeException | Error e) {
            if (b != null) {
                buffers.release(b);
            }
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** @return the hash the leader fetched, or null when the leader was interrupted (the caller leads next) */
    private Long follow(CompletableFuture<Long> leader, TrackFile file, int index, Settings s) throws IOException {
        long waitNanos = MAX_ORIGINS_PER_CHUNK * Math.max(s.localDeadlineNanos(), s.remoteDeadlineNanos()) + STORE_GRACE_NANOS;
        try {
            return leader.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for chunk " + index + " of " + describe(file));
        } catch (TimeoutException e) {
            throw new ContentUnavailableException(describe(file) + ": chunk " + index + " is still being fetched by another reader after "
                    + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedIOException) {
                return null;
            }
            if (cause instanceof ContentUnavailableException) {
                throw new ContentUnavailableException(cause.getMessage(), cause);
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }

    /**
     * Fetches the chunk's byte range from the routed origins in turn, each within its deadline.
     *
     * @return a taken buffer holding exactly the chunk, from 0 to {@code length}
     * @throws ContentUnavailableException naming the file and every origin tried with its failure
     */
    private Buffer fetchFromOrigins(TrackFile file, int index, int length, Settings s) throws IOException {
        long offset = (long) index * chunkSize;
        // For the last chunk ask one byte more than catalogued, so a file that grew is noticed.
        int ask = offset + length == file.size() && length < chunkSize ? length + 1 : length;
        List<Origin> origins;
        try {
            origins = router.route(file);
        } catch (RuntimeException e) {
            // A router whose bundle is stopping: no origin can be chosen now.
            throw new ContentUnavailableException(describe(file) + ": chunk " + index + " is not cached and the router failed: " + e, e);
        }
        StringBuilder failures = new StringBuilder();
        int tried = 0;
        for (Origin origin : origins) {
            if (tried == MAX_ORIGINS_PER_CHUNK) {
                failures.append("; ").append(origins.size() - tried).append(" more not tried");
                break;
            }
            tried++;
            String id = origin.id();
            long deadline = s.deadlineNanos(origin);
            Buffer b = buffers.take();
            b.data.limit(ask);
            long t0 = System.nanoTime();
            String failure;
            try {
                int n = originReads.read(origin, file.path(), offset, b.data, deadline);
                long nanos = System.nanoTime() - t0;
                report(id, true, nanos);
                if (n == length) {
                    b.data.flip();
                    LOG.debug("content reader: fetched chunk {} of {} from {}: {} bytes in {} ms", index, describe(file), id, n,
                            TimeUnit.NANOSECONDS.toMillis(nanos));
                    return b;
                }
                failure = n < length
                        ? "delivered " + n + " of " + length + " bytes: the file is shorter than catalogued (changed or truncated)"
                        : "the file is longer than catalogued (changed)";
                buffers.release(b);
            } catch (TimeoutException e) {
                report(id, false, System.nanoTime() - t0);
                buffers.abandon(b);
                failure = "no answer within " + TimeUnit.NANOSECONDS.toMillis(deadline) + " ms"
                        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            } catch (InterruptedException e) {
                buffers.abandon(b);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted fetching chunk " + index + " of " + describe(file) + " from " + id);
            } catch (IOException e) {
                report(id, false, System.nanoTime() - t0);
                buffers.release(b);
                failure = e.toString();
            }
            failures.append(failures.length() == 0 ? "" : "; ").append(id).append(": ").append(failure);
        }
        String range = "bytes " + offset + "-" + (offset + length - 1);
        throw new ContentUnavailableException(describe(file) + ": chunk " + index + " (" + range + ") is not cached and "
                + (origins.isEmpty() ? "no origin can serve it now" : "no origin delivered it: " + failures));
    }

    /**
     * Stores a fetched chunk, records it in the manifest and publishes it in memory. A chunk that
     * cannot be stored is still served from memory this once; one that hashes to
     * {@link Manifest#UNKNOWN} cannot be recorded and is fetched every time.
     */
    private void keep(TrackFile file, int index, long hash, Buffer b) {
        if (hash == Manifest.UNKNOWN) {
            return;
        }
        buffers.publish(b, hash, b.data.limit());
        try {
            store.write(hash, b.data);
        } catch (IOException e) {
            storeWarnings.warn("content reader: chunk {} of {} served but not cached: {}", index, describe(file), e.toString());
            return;
        }
        try {
            manifests.recordChunk(file, chunkSize, index, hash);
        } catch (IOException | RuntimeException e) {
            manifestWarnings.warn("content reader: cannot record chunk {} of {}, it will be fetched again: {}", index, describe(file), e.toString());
        }
    }

    /** Tells the router how an origin call went; a router that fails to listen does not fail the read. */
    private void report(String originId, boolean success, long nanos) {
        try {
            router.report(originId, success, nanos);
        } catch (RuntimeException e) {
            LOG.debug("content reader: router did not take the report on {}: {}", originId, e.toString());
        }
    }

    private void forget(TrackFile file, int index) {
        try {
            manifests.forgetChunk(file, index);
        } catch (IOException | RuntimeException e) {
            manifestWarnings.warn("content reader: cannot forget bad chunk {} of {}: {}", index, describe(file), e.toString());
        }
    }

    private static String describe(TrackFile file) {
        return "file " + file.fileId() + " (" + file.originId() + ":" + file.path() + ")";
    }

    /** Logs a repeated warning at most once per {@link #WARNING_INTERVAL_NANOS}; the others go to debug. */
    private static final class Throttle {
        private final AtomicLong next = new AtomicLong(System.nanoTime());

        void warn(String format, Object... args) {
            long now = System.nanoTime();
            long due = next.get();
            if (now - due >= 0 && next.compareAndSet(due, now + WARNING_INTERVAL_NANOS)) {
                LOG.warn(format, args);
            } else {
                LOG.debug(format, args);
            }
        }
    }
}
