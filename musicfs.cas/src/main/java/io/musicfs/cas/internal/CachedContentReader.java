package io.musicfs.cas.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.CacheStatus.State;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.Progress;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.content.ContentReader;
import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;
import io.musicfs.cas.internal.ChunkBufferPool.Buffer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a catalogued file's bytes through the chunk cache. A read is cut into the file's chunks;
 * each comes from memory ({@link ChunkBufferPool}), else from disk ({@link ChunkStore}, hash
 * verified), else from the first origin the {@link OriginRouter} names that delivers it within its
 * deadline ({@link OriginReads}). A fetched chunk goes to its reader as soon as it is hashed; the
 * {@link ChunkWriter} then stores it and records it in the file's {@link Manifest} in the background.
 * What is known of each file version (its chunk hashes, its read pattern) is kept in a
 * {@link FileVersion}, so the manifest store is asked once per version, not once per read.
 *
 * <p>It is also the cache's {@link CacheAdmin}: the size limit, the cache disk's state (active or
 * passthrough) and the scrub belong to its {@link CacheGuard}, which the read path asks whether to
 * write, read ahead or read from disk at all. A track read sequentially to near its end has the
 * start of the next track in album order ({@link AlbumOrder}) read ahead too.
 *
 * <h2>Threading</h2>
 * {@link #read} runs on the caller's thread (a FUSE thread), for any number of callers at once.
 * The first reader of a chunk that is not in memory leads its load: it registers in
 * {@code inFlight}, reads the chunk from disk or tries the origins (each call on
 * {@link OriginReads}' pool, waited for at most the origin's deadline), publishes it in memory and
 * hands it to the writer, then completes its future; readers of the same chunk meanwhile wait on
 * that future (bounded too) and take the chunk from memory. Reads of different chunks share nothing
 * but the leaf locks below, so one file never waits on another.
 *
 * <p>Read-ahead: a read that continues a sequential stream ({@link FileVersion#readAhead}) hands the
 * next {@code readAheadChunks} chunks to the read-ahead pool, whose tasks load them through the same
 * single-flight path with the same deadlines. A read-ahead task does nothing when another reader
 * already leads the chunk, and while no reader waits for its chunk it gives up rather than wait for
 * a call slot of a busy origin or take a buffer beyond the kept ones ({@link ChunkBufferPool#tryTake}):
 * fetched-but-unread chunks live only in the pool's kept buffers, so they never grow memory, and
 * read-ahead never queues in front of readers. A reader that meets a chunk being read ahead waits
 * for it like for any other leader, and from then on that read-ahead works for the reader
 * ({@code Flight.awaited}): it waits for a slot and takes a buffer as the reader would have. A
 * read-ahead that gave up is handed out again at the stream's next read
 * ({@link FileVersion#aheadSkipped}), so a busy origin delays it rather than leaving it to the
 * reader. Files a remote origin served are read {@link #REMOTE_READ_AHEAD_FACTOR} times further
 * ahead (still at most half the kept buffers).
 *
 * <p>Threads this component starts, and {@link #deactivate} stops: {@link OriginReads}' pool
 * ({@code musicfs-cas-origin-N}), the read-ahead pool ({@code musicfs-cas-readahead-N}), the
 * {@link ChunkWriter} ({@code musicfs-cas-writer}), the {@link ChunkStore} inventory
 * ({@code musicfs-cas-inventory}) and the {@link CacheGuard}'s upkeep ({@code musicfs-cas-upkeep}).
 *
 * <h2>Lock order</h2>
 * A {@link FileVersion}'s load lock is taken before its monitor and is held while the manifest store
 * loads that version (only readers of the same version wait on it). Apart from that no thread holds
 * two locks, and the ones there are leaves: the {@code versions} map monitor, a {@link FileVersion}
 * monitor, the {@link ChunkBufferPool} monitor (bookkeeping only), the {@link ChunkWriter} monitor
 * (admission only), a {@link ChunkStore} shard monitor (rename or delete of one chunk file), and an
 * {@link OriginReads} per-origin slot (a semaphore, never waited on without a deadline). Nothing else
 * is locked while an origin, the router or the manifest store is called. {@code inFlight} is a
 * concurrent map, {@code settings} a volatile immutable snapshot.
 */
@Component(configurationPid = CachedContentReader.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {ContentReader.class, CacheAdmin.class})
@Designate(ocd = CachedContentReader.Config.class)
public final class CachedContentReader implements ContentReader, CacheAdmin {

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
     * if memory was reused in between, or the other reader was a read-ahead that gave up, twice.
     */
    static final int MAX_FETCH_ROUNDS = 3;
    /** At most one warning per this interval for a repeated failure of the cache itself; the rest go to debug. */
    static final long WARNING_INTERVAL_NANOS = Throttle.INTERVAL_NANOS;
    /** Default chunks read ahead of a sequential reader: 4 MiB at 1 MiB chunks, a few seconds of lossless audio. */
    static final int DEFAULT_READ_AHEAD_CHUNKS = 4;
    /** Largest accepted readAheadChunks; at most half the kept buffers are used whatever is configured. */
    static final int MAX_READ_AHEAD_CHUNKS = 64;
    /**
     * Read-ahead of a file a remote origin serves is this many times the configured one (still at
     * most half the kept buffers): each chunk costs a round trip or more, so more must be under way
     * to keep a sequential reader from waiting.
     */
    static final int REMOTE_READ_AHEAD_FACTOR = 4;
    /** Default fetched chunks waiting to be written: 16 MiB at 1 MiB chunks. */
    static final int DEFAULT_WRITE_QUEUE_CHUNKS = 16;
    /** Largest accepted writeQueueChunks; at most half the kept buffers are used whatever is configured. */
    static final int MAX_WRITE_QUEUE_CHUNKS = 1024;
    /** Default time queued chunk writes may still take when the component stops. */
    static final long DEFAULT_WRITE_DRAIN_MILLIS = 5000;
    /**
     * Read-ahead tasks running at once over all files. They mostly wait on origins; one hung origin
     * holds at most {@link OriginReads#CALLS_PER_ORIGIN} of them (read-ahead never queues for a slot).
     */
    static final int READ_AHEAD_THREADS = 32;
    /** Read-ahead tasks waiting for a thread; more are dropped (their chunks are fetched when read). */
    static final int READ_AHEAD_QUEUE = 256;
    /** How long {@link #deactivate} waits for running read-ahead tasks to notice they were interrupted. */
    private static final long READ_AHEAD_STOP_WAIT_MILLIS = 2_000;
    /** How long an idle read-ahead thread lives; the pool is empty when nothing is read sequentially. */
    private static final long READ_AHEAD_IDLE_SECONDS = 60;
    /** File versions whose chunk hashes and read pattern are kept; about a kilobyte each for a typical track. */
    static final int KNOWN_FILE_VERSIONS = 1024;
    /** Chunks of a file read within this time are "being read now": evicted last. */
    static final long READING_NOW_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Default free space the cache leaves on its disk (at most 5% of the disk): below it the disk counts as full. */
    static final long DEFAULT_FREE_RESERVE_BYTES = 1L << 30;
    /** Default chunks of the next track in album order fetched when a track is played to near its end: 2 MiB, the first seconds. */
    static final int DEFAULT_NEXT_TRACK_CHUNKS = 2;

    /** How often a file version whose manifest could not be loaded tries again. */
    static final long MANIFEST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

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

        @AttributeDefinition(name = "Read-ahead",
                description = "Chunks fetched in the background ahead of a file that is read sequentially, so the reader rarely waits"
                        + " for an origin; 0 disables read-ahead. Files a remote origin (S3, SFTP) serves get four times as many."
                        + " At most half the chunk buffers (32 at 1 MiB chunks) are used."
                        + " Applies at once.",
                min = "0", max = "64")
        int readAheadChunks() default DEFAULT_READ_AHEAD_CHUNKS;

        @AttributeDefinition(name = "Write queue",
                description = "Fetched chunks that may wait in memory to be written to the cache; when that many wait, a fetched chunk"
                        + " is served but not cached. At most half the chunk buffers are used. A change applies at the next restart.",
                min = "1", max = "1024")
        int writeQueueChunks() default DEFAULT_WRITE_QUEUE_CHUNKS;

        @AttributeDefinition(name = "Size limit",
                description = "Bytes the chunk cache may take on disk; 0 chooses 20 GiB, at most a tenth of the cache's disk."
                        + " Eviction of the least recently used chunks starts above 90% of it, read-ahead stops above 95%, and"
                        + " above 99% fetched chunks are served but not cached. Applies at once.",
                min = "0")
        long cacheLimitBytes() default 0;

        @AttributeDefinition(name = "Free space reserve",
                description = "Bytes the cache leaves free on its disk (at most 5% of the disk): with less free the cache disk counts"
                        + " as full and reads go straight to the origins. Applies at once.",
                min = "0")
        long freeReserveBytes() default DEFAULT_FREE_RESERVE_BYTES;

        @AttributeDefinition(name = "Disk probe interval",
                description = "Milliseconds between probes of a cache disk that is full, read-only or failing. Applies at once.",
                min = "1")
        long diskProbeMillis() default 60_000;

        @AttributeDefinition(name = "Scrub interval",
                description = "Hours between background verifications of a sample of chunks (all of them when more than 1% of the"
                        + " sample is bad); 0 disables the scrub. A change applies at the next restart.",
                min = "0")
        int scrubIntervalHours() default 24;

        @AttributeDefinition(name = "Next-track read-ahead",
                description = "Chunks of the next track in album order fetched when a track is read sequentially to near its end;"
                        + " 0 disables it. Applies at once.",
                min = "0", max = "64")
        int nextTrackChunks() default DEFAULT_NEXT_TRACK_CHUNKS;

        @AttributeDefinition(name = "Write drain time",
                description = "Milliseconds queued chunk writes may still take when the cache stops; the rest are dropped and fetched"
                        + " again when read. Applies at once.",
                min = "0")
        long writeDrainMillis() default DEFAULT_WRITE_DRAIN_MILLIS;
    }

    /** A validated configuration. */
    record Settings(Path cacheDir, int chunkSize, long localDeadlineNanos, long remoteDeadlineNanos, int readAheadChunks,
            int writeQueueChunks, long writeDrainNanos, long cacheLimitBytes, long freeReserveBytes, long diskProbeMillis,
            int scrubIntervalHours, int nextTrackChunks) {

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
            int readAhead = config.readAheadChunks();
            if (readAhead < 0 || readAhead > MAX_READ_AHEAD_CHUNKS) {
                throw new IllegalArgumentException(PID + ": readAheadChunks must be from 0 to " + MAX_READ_AHEAD_CHUNKS + ", got " + readAhead);
            }
            int writeQueue = config.writeQueueChunks();
            if (writeQueue < 1 || writeQueue > MAX_WRITE_QUEUE_CHUNKS) {
                throw new IllegalArgumentException(PID + ": writeQueueChunks must be from 1 to " + MAX_WRITE_QUEUE_CHUNKS + ", got "
                        + writeQueue);
            }
            long drain = config.writeDrainMillis();
            if (drain < 0) {
                throw new IllegalArgumentException(PID + ": writeDrainMillis must be at least 0, got " + drain);
            }
            long limit = config.cacheLimitBytes();
            if (limit < 0) {
                throw new IllegalArgumentException(PID + ": cacheLimitBytes must be at least 0 (0: automatic), got " + limit);
            }
            if (limit > 0 && limit < 4L * chunkSize) {
                throw new IllegalArgumentException(PID + ": cacheLimitBytes must hold at least 4 chunks (" + 4L * chunkSize
                        + " bytes), got " + limit);
            }
            long reserve = config.freeReserveBytes();
            if (reserve < 0) {
                throw new IllegalArgumentException(PID + ": freeReserveBytes must be at least 0, got " + reserve);
            }
            long probe = config.diskProbeMillis();
            if (probe < 1) {
                throw new IllegalArgumentException(PID + ": diskProbeMillis must be at least 1, got " + probe);
            }
            int scrub = config.scrubIntervalHours();
            if (scrub < 0) {
                throw new IllegalArgumentException(PID + ": scrubIntervalHours must be at least 0, got " + scrub);
            }
            int nextTrack = config.nextTrackChunks();
            if (nextTrack < 0 || nextTrack > MAX_READ_AHEAD_CHUNKS) {
                throw new IllegalArgumentException(PID + ": nextTrackChunks must be from 0 to " + MAX_READ_AHEAD_CHUNKS + ", got "
                        + nextTrack);
            }
            return new Settings(cacheDir.normalize(), chunkSize, deadline("localDeadlineMillis", config.localDeadlineMillis()),
                    deadline("remoteDeadlineMillis", config.remoteDeadlineMillis()), readAhead, writeQueue,
                    TimeUnit.MILLISECONDS.toNanos(drain), limit, reserve, probe, scrub, nextTrack);
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

    /** What a leader tells the readers waiting for it: the chunk's hash, and whether it came from an origin. */
    private record Loaded(long hash, boolean fromOrigin, boolean collided) {
        Loaded(long hash, boolean fromOrigin) {
            this(hash, fromOrigin, false);
        }
    }

    /**
     * One chunk being loaded by its leader. A read-ahead leader gives up when the origin is busy or no
     * kept buffer is free, but only while no reader waits for it ({@code awaited}); once one does, it
     * goes on like that reader would (waits for the slot within the deadline, allocates a buffer).
     */
    private static final class Flight {
        final CompletableFuture<Loaded> done = new CompletableFuture<>();
        volatile boolean awaited;
    }

    /**
     * A read-ahead gave up without trying every origin (no free call slot, no free buffer): a reader
     * that waited for it leads the fetch itself. No stack trace: it is a signal, not a failure.
     */
    private static final class ReadAheadSkipped extends IOException {
        private static final long serialVersionUID = 1L;

        ReadAheadSkipped(String why) {
            super(why);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
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
    private final ChunkWriter writer;
    private final ThreadPoolExecutor readAheadPool;
    /** Half the kept buffers: the most read-ahead may ask for per stream, so streams do not evict each other's chunks at once. */
    private final int maxReadAhead;
    private final CacheGuard guard;
    private final OriginChunkLog originLog;
    private final AlbumOrder albumOrder = new AlbumOrder();

    // Optional services, dynamic: copied to a local before use.
    private volatile EventAdmin events;
    private volatile Library library;

    // Lock-free shared state.
    private volatile Settings settings;
    private volatile boolean stopped;
    private final ConcurrentHashMap<ChunkKey, Flight> inFlight = new ConcurrentHashMap<>();
    private final Throttle storeWarnings = new Throttle(LOG);
    private final Throttle manifestWarnings = new Throttle(LOG);

    /** Guarded by itself: the most recently read file versions, least recently used first. */
    private final Map<TrackFile, FileVersion> versions = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<TrackFile, FileVersion> eldest) {
            return size() > KNOWN_FILE_VERSIONS;
        }
    };

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
        this.maxReadAhead = Math.max(1, buffers.capacity() / 2);
        this.originReads = new OriginReads();
        this.writer = new ChunkWriter(store, manifests, buffers, stats, chunkSize, Math.min(s.writeQueueChunks(), maxReadAhead),
                buffers.capacity(), storeWarnings, manifestWarnings);
        AtomicInteger threadNumber = new AtomicInteger();
        this.readAheadPool = new ThreadPoolExecutor(READ_AHEAD_THREADS, READ_AHEAD_THREADS, READ_AHEAD_IDLE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(READ_AHEAD_QUEUE), r -> {
                    Thread t = new Thread(r, "musicfs-cas-readahead-" + threadNumber.incrementAndGet());
                    t.setPriority(Thread.NORM_PRIORITY); // a reader waits: never the lowered priority of a background creator
                    t.setDaemon(true);
                    return t;
                });
        this.readAheadPool.allowCoreThreadTimeOut(true);
        this.originLog = new OriginChunkLog(store.directory());
        this.guard = new CacheGuard(store, stats, limits(s), this::readingNow, this::stateChanged);
        this.writer.admission = new ChunkWriter.Admission() {
            @Override
            public boolean admits(int length) {
                return guard.admits(length);
            }

            @Override
            public void written(String originId, long hash) {
                guard.written();
                try {
                    originLog.note(originId, hash);
                } catch (IOException | RuntimeException e) {
                    storeWarnings.warn("content reader: cannot note chunk {} under origin {} (clearing that origin will miss it): {}",
                            ChunkStore.name(hash), originId, e.toString());
                }
            }

            @Override
            public void failed(IOException e) {
                guard.writeFailed(e);
            }
        };
        LOG.info("content reader: cache limit {} bytes, free space reserve {} bytes", guard.limits().limitBytes(),
                guard.limits().reserveBytes());
        LOG.info("content reader: cache {}, chunk size {}, deadlines local {} ms, remote {} ms, read-ahead {} chunks, write queue {} chunks",
                s.cacheDir(), chunkSize, TimeUnit.NANOSECONDS.toMillis(s.localDeadlineNanos()),
                TimeUnit.NANOSECONDS.toMillis(s.remoteDeadlineNanos()), readAheadChunks(s), writer.capacity());
    }

    /**
     * Applies new deadlines, read-ahead and drain time at once. The cache directory, chunk size and
     * write queue stay until a restart; an invalid configuration is rejected as a whole and the
     * running one stays.
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
        if (!asked.cacheDir().equals(now.cacheDir()) || asked.chunkSize() != now.chunkSize()
                || asked.writeQueueChunks() != now.writeQueueChunks()) {
            LOG.warn("content reader: cacheDir, chunkSize and writeQueueChunks changes apply at the next restart; running with {}, {} and {}",
                    now.cacheDir(), now.chunkSize(), now.writeQueueChunks());
        }
        Settings next = new Settings(now.cacheDir(), now.chunkSize(), asked.localDeadlineNanos(), asked.remoteDeadlineNanos(),
                asked.readAheadChunks(), now.writeQueueChunks(), asked.writeDrainNanos(), asked.cacheLimitBytes(),
                asked.freeReserveBytes(), asked.diskProbeMillis(), now.scrubIntervalHours(), asked.nextTrackChunks());
        settings = next;
        guard.limits(limits(next));
        LOG.info("content reader: configuration applied; cache limit {} bytes", guard.limits().limitBytes());
    }

    /**
     * Stops reading (reads fail from now on), stops read-ahead and origin calls, lets queued chunk
     * writes finish for up to writeDrainMillis (the rest are dropped, never half recorded), then stops
     * the store. Returns within writeDrainMillis plus a few seconds.
     */
    @Deactivate
    void deactivate() {
        stopped = true;
        readAheadPool.shutdownNow();
        originReads.close();
        try {
            // Read-ahead tasks wait on origin calls, which were just interrupted, or read one chunk file.
            if (!readAheadPool.awaitTermination(READ_AHEAD_STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("content reader: read-ahead tasks still running {} ms after stop; they give up at their next step",
                        READ_AHEAD_STOP_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close(settings.writeDrainNanos());
        guard.close();
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
        FileVersion version = version(file);
        version.readAt(System.nanoTime());
        long end = offset + wanted;
        int[] ahead = version.readAhead(offset, end, readAheadChunks(s, version));
        if (guard.prefetching()) {
            readAhead(version, ahead);
            if (s.nextTrackChunks() > 0 && version.takeNextTrackDue()) {
                readNextTrack(file, s.nextTrackChunks());
            }
        }
        int start = dst.position();
        boolean filled = false;
        try {
            for (long pos = offset; pos < end; ) {
                int index = (int) (pos / chunkSize);
                long chunkStart = (long) index * chunkSize;
                int length = version.chunkLength(index);
                int from = (int) (pos - chunkStart);
                int n = (int) Math.min(end - pos, length - from);
                Buffer chunk = chunk(version, index, length, s);
                try {
                    dst.put(dst.position(), chunk.data, from, n);
                } finally {
                    buffers.release(chunk);
                }
                dst.position(dst.position() + n);
                pos += n;
            }
            filled = true;
            stats.served(wanted);
            return wanted;
        } finally {
            if (!filled) {
                dst.position(start);
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setEvents(EventAdmin admin) {
        events = admin;
    }

    void unsetEvents(EventAdmin gone) {
        if (events == gone) {
            events = null;
        }
    }

    /** The tree, for next-track read-ahead; without it only the file being read is read ahead. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setLibrary(Library lib) {
        library = lib;
    }

    void unsetLibrary(Library gone) {
        if (library == gone) {
            library = null;
        }
    }

    @Override
    public CacheStatus status() {
        return guard.status();
    }

    @Override
    public VerifyReport verify(boolean all, Progress progress) throws InterruptedException {
        return guard.verify(all, progress);
    }

    @Override
    public void shedPrefetch(String reason) {
        if (guard.shedPrefetch(reason)) {
            if (reason != null) {
                LOG.warn("content reader: read-ahead and prefetch stopped: {}; reads go on", reason);
            } else {
                LOG.info("content reader: read-ahead and prefetch run again");
            }
        }
    }

    @Override
    public long clear(String originId) throws InterruptedException {
        long freed;
        if (originId == null) {
            freed = store.clear();
            buffers.forget(hash -> true);
            try {
                originLog.clear();
            } catch (IOException e) {
                LOG.warn("content reader: cannot remove the per-origin chunk lists: {}", e.toString());
            }
            synchronized (versions) {
                versions.clear();
            }
            LOG.info("cache: cleared, {} bytes freed", freed);
        } else {
            Set<Long> hashes;
            try {
                hashes = originLog.take(originId);
            } catch (IOException e) {
                throw new IllegalStateException("cache clear " + originId + ": cannot read the list of its chunks: " + e, e);
            }
            freed = store.discardAll(hashes);
            buffers.forget(hashes::contains);
            synchronized (versions) {
                versions.keySet().removeIf(f -> f.originId().equals(originId));
            }
            LOG.info("cache: cleared the chunks of origin {}: {} chunks listed, {} bytes freed", originId, hashes.size(), freed);
        }
        return freed;
    }

    @Override
    public PrefetchReport prefetch(List<TrackFile> files, Progress progress) throws InterruptedException {
        long total = files.stream().mapToLong(TrackFile::size).sum();
        long done = 0;
        long fetched = 0;
        int failed = 0;
        for (TrackFile file : files) {
            if (Thread.interrupted()) {
                throw new InterruptedException("prefetch interrupted");
            }
            try {
                if (!guard.prefetching()) {
                    throw new ContentUnavailableException("the cache is " + (guard.state() == State.ACTIVE ? "near its size limit"
                            : "in passthrough (" + guard.status().reason() + ")"));
                }
                FileVersion version = version(file);
                for (int index = 0; index < version.chunkCount(); index++) {
                    if (!guard.prefetching()) {
                        throw new ContentUnavailableException("prefetch stopped: the cache is full or in passthrough");
                    }
                    int length = version.chunkLength(index);
                    long hash = version.hash(index);
                    boolean have = hash != Manifest.UNKNOWN && (inMemory(hash, length) || store.index().contains(hash));
                    if (!have) {
                        Buffer b = fetch(version, index, length, settings, false);
                        buffers.release(b);
                        fetched += length;
                    }
                    done += length;
                    if (progress != null) {
                        progress.update(done, total);
                    }
                }
            } catch (IOException | RuntimeException e) {
                failed++;
                LOG.warn("cache: prefetch of {} failed: {}", describe(file), e.getMessage());
            }
        }
        writer.awaitIdle(TimeUnit.SECONDS.toNanos(30));
        return new PrefetchReport(files.size(), fetched, failed);
    }

    private boolean inMemory(long hash, int length) {
        Buffer b = buffers.pin(hash, length);
        if (b != null) {
            buffers.release(b);
        }
        return b != null;
    }

    /** @return the guard's limits for these settings, the automatic ones resolved against the cache's disk */
    private CacheGuard.Limits limits(Settings s) {
        long disk;
        try {
            disk = store.totalSpace();
        } catch (IOException e) {
            disk = 0;
        }
        long limit = s.cacheLimitBytes() > 0 ? s.cacheLimitBytes() : CacheGuard.defaultLimit(disk);
        long reserve = disk > 0 ? Math.min(s.freeReserveBytes(), disk / 20) : s.freeReserveBytes();
        return new CacheGuard.Limits(limit, reserve, s.diskProbeMillis(), TimeUnit.HOURS.toMillis(s.scrubIntervalHours()));
    }

    /** @return whether a chunk belongs to a file read within {@link #READING_NOW_NANOS}; a snapshot, taken once per eviction */
    private LongPredicate readingNow() {
        long now = System.nanoTime();
        Set<Long> hot = new HashSet<>();
        List<FileVersion> recent;
        synchronized (versions) {
            recent = new ArrayList<>(versions.values());
        }
        for (FileVersion v : recent) {
            if (now - v.lastReadNanos() < READING_NOW_NANOS) {
                for (long h : v.knownHashes()) {
                    hot.add(h);
                }
            }
        }
        return hot::contains;
    }

    /** Posts {@link CacheAdmin#TOPIC_STATE_CHANGED}; without Event Admin the log line the guard wrote is all. */
    private void stateChanged(State now, State previous, String reason) {
        EventAdmin admin = events;
        if (admin == null) {
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put("state", now.name());
        props.put("previous", previous.name());
        if (reason != null) {
            props.put("reason", reason);
        }
        try {
            admin.postEvent(new Event(TOPIC_STATE_CHANGED, props));
        } catch (RuntimeException e) {
            LOG.debug("content reader: cannot post the cache state change: {}", e.toString());
        }
    }

    /** @return the size limit and disk state keeper */
    CacheGuard guard() {
        return guard;
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

    /** @return the background writer (tests switch on its fault points and wait for it) */
    ChunkWriter writer() {
        return writer;
    }

    /** @return the chunks to read ahead now: as configured, at most half the kept buffers */
    private int readAheadChunks(Settings s) {
        return Math.min(s.readAheadChunks(), maxReadAhead);
    }

    /** @return the chunks to read ahead of this version: more for a remote origin, at most half the kept buffers */
    private int readAheadChunks(Settings s, FileVersion version) {
        int chunks = s.readAheadChunks();
        if (version.remote()) {
            chunks *= REMOTE_READ_AHEAD_FACTOR;
        }
        return Math.min(chunks, maxReadAhead);
    }

    /** @return what is known of the file's version; its manifest is loaded on first use (and retried while that fails) */
    private FileVersion version(TrackFile file) {
        FileVersion v;
        synchronized (versions) {
            v = versions.get(file);
            if (v == null) {
                v = new FileVersion(file, chunkSize, System.nanoTime());
                versions.put(file, v);
            }
        }
        if (!v.loaded()) {
            synchronized (v.loadLock) {
                if (v.loadDue(System.nanoTime(), MANIFEST_RETRY_NANOS)) {
                    long[] stored = storedHashes(file, v.chunkCount());
                    if (stored != null) {
                        v.loadedFromStore(stored);
                    }
                }
            }
        }
        return v;
    }

    /** @return the chunk hashes the manifest store holds for the file's version, or null when it fails (tried again later) */
    private long[] storedHashes(TrackFile file, int chunkCount) {
        Manifest m;
        try {
            m = manifests.load(file, chunkSize);
        } catch (IOException | RuntimeException e) {
            manifestWarnings.warn("content reader: cannot load the manifest of {}, reading from origins: {}", describe(file), e.toString());
            return null;
        }
        long[] hashes = m.hashes();
        if (m.fileId() != file.fileId() || m.size() != file.size() || m.mtimeMillis() != file.mtimeMillis()
                || !Objects.equals(m.etag(), file.etag()) || m.chunkSize() != chunkSize || hashes.length != chunkCount) {
            // The store broke its contract; its hashes may belong to another version of the file.
            manifestWarnings.warn("content reader: manifest store returned a manifest of another version of {}, ignoring it: {}",
                    describe(file), m);
            return null;
        }
        return hashes;
    }

    /** @return chunk {@code index} of the file, pinned (release it), in {@code data} from 0 to {@code length} */
    private Buffer chunk(FileVersion version, int index, int length, Settings s) throws IOException {
        long hash = version.hash(index);
        if (hash != Manifest.UNKNOWN) {
            Buffer b = buffers.pin(hash, length);
            if (b != null) {
                stats.hit();
                store.accessed(hash);
                return b;
            }
        }
        return fetch(version, index, length, s, false);
    }

    /** @return the verified chunk from memory or disk, pinned; null when it is in neither */
    private Buffer cached(long hash, int length) {
        Buffer b = buffers.pin(hash, length);
        if (b != null) {
            return b;
        }
        if (!guard.readsFromDisk()) {
            return null;
        }
        b = buffers.take();
        if (store.read(hash, length, b.data)) {
            buffers.publish(b, hash, length);
            return b;
        }
        buffers.release(b);
        return null;
    }

    /**
     * Loads the chunk from disk or origins, or waits for the reader already loading it.
     *
     * @param background a read-ahead: never waits for another reader and, while no reader waits for
     *     it, gives up rather than wait for an origin slot or allocate a buffer ({@link Flight})
     * @return the chunk, pinned; null only in the background when another reader leads it
     */
    private Buffer fetch(FileVersion version, int index, int length, Settings s, boolean background) throws IOException {
        ChunkKey key = new ChunkKey(version.file(), index);
        for (int round = 0; round < MAX_FETCH_ROUNDS; round++) {
            Flight mine = new Flight();
            mine.awaited = !background;
            Flight leader = inFlight.putIfAbsent(key, mine);
            if (leader == null) {
                return lead(version, key, mine, length, s);
            }
            if (background) {
                return null;
            }
            leader.awaited = true;
            Loaded loaded = follow(leader.done, version.file(), index, s);
            if (loaded != null && !loaded.collided()) {
                Buffer b = cached(loaded.hash(), length);
                if (b != null) {
                    if (loaded.fromOrigin()) {
                        stats.miss();
                    } else {
                        stats.hit();
                    }
                    return b;
                }
            }
        }
        throw new IOException(describe(version.file()) + ": chunk " + index + " was fetched by other readers " + MAX_FETCH_ROUNDS
                + " times but could not be kept in memory or on disk");
    }

    /**
     * Loads the chunk for every reader waiting on {@code mine}, then unregisters. A read-ahead leader
     * ({@code mine} not awaited when it started) may give up with {@link ReadAheadSkipped}.
     */
    private Buffer lead(FileVersion version, ChunkKey key, Flight mine, int length, Settings s) throws IOException {
        TrackFile file = key.file();
        int index = key.index();
        boolean background = !mine.awaited;
        Buffer b = null;
        try {
            // A leader that finished just before we registered has published the chunk by now.
            long known = version.hash(index);
            boolean fromOrigin = false;
            if (known != Manifest.UNKNOWN) {
                b = buffers.pin(known, length);
                if (b == null) {
                    b = fromDisk(version, index, known, length, mine);
                }
            }
            boolean collided = false;
            if (b == null) {
                b = fetchFromOrigins(version, index, length, s, mine);
                stats.fetched(length);
                known = ChunkStore.hash(b.data);
                fromOrigin = true;
                collided = !keep(version, index, known, b);
            }
            mine.done.complete(new Loaded(known, fromOrigin, collided));
            if (!background) {
                if (fromOrigin) {
                    stats.miss();
                } else {
                    stats.hit();
                }
            }
            return b;
        } catch (IOException | RuntimeException | Error e) {
            if (b != null) {
                buffers.release(b);
            }
            mine.done.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /**
     * @return the chunk read from disk and verified, pinned and published; null when it is missing or
     *     bad there. The manifest keeps it: its hash still names the file's bytes at that place, so the
     *     fetch that follows brings those bytes back and the writer stores them without a database write.
     */
    private Buffer fromDisk(FileVersion version, int index, long hash, int length, Flight flight) throws IOException {
        if (!guard.readsFromDisk()) {
            return null; // the cache disk is failing: straight to the origins
        }
        Buffer b = buffer(flight);
        ChunkStore.Read found = store.readChunk(hash, length, b.data);
        if (found == ChunkStore.Read.GOOD) {
            buffers.publish(b, hash, length);
            return b;
        }
        buffers.release(b);
        if (Thread.currentThread().isInterrupted()) {
            // stopped mid-read (deactivation): the chunk may well be good, keep it known
            throw new InterruptedIOException("interrupted reading chunk " + index + " of " + describe(version.file()) + " from disk");
        }
        if (found == ChunkStore.Read.MISSING && version.recordedAs(index, hash)) {
            // (ABSENT, a chunk evicted or cleared, is a plain miss: not a word)
            // recorded in the manifest, yet not on disk: lost (deleted behind the cache's back, or a crash before the directory was flushed)
            stats.badChunk();
            storeWarnings.warn("content reader: chunk {} of {} ({}) is recorded but missing from the cache; fetching it again", index,
                    describe(version.file()), store.pathOf(hash));
        }
        return null;
    }

    /** @return the hash the leader loaded, or null when the leader was interrupted or gave up (the caller leads next) */
    private Loaded follow(CompletableFuture<Loaded> leader, TrackFile file, int index, Settings s) throws IOException {
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
            if (cause instanceof InterruptedIOException || cause instanceof ReadAheadSkipped) {
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
     * @param flight the load this is for: while nobody awaits it (a read-ahead) it gives up
     *     ({@link ReadAheadSkipped}) instead of waiting for a call slot of a busy origin or allocating
     *     a buffer beyond the kept ones
     * @return a taken buffer holding exactly the chunk, from 0 to {@code length}
     * @throws ContentUnavailableException naming the file and every origin tried with its failure
     */
    private Buffer fetchFromOrigins(FileVersion version, int index, int length, Settings s, Flight flight) throws IOException {
        TrackFile file = version.file();
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
            Buffer b = buffer(flight);
            b.data.limit(ask);
            long t0 = System.nanoTime();
            String failure;
            try {
                int n;
                try {
                    n = originReads.read(origin, file.path(), offset, b.data, deadline, flight.awaited);
                } catch (OriginReads.NoFreeSlot e) {
                    if (!flight.awaited) {
                        throw e;
                    }
                    // a reader started waiting for this read-ahead meanwhile: wait for the slot like it would
                    t0 = System.nanoTime();
                    n = originReads.read(origin, file.path(), offset, b.data, deadline, true);
                }
                long nanos = System.nanoTime() - t0;
                report(id, true, nanos);
                if (origin.remote()) {
                    version.servedRemotely();
                }
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
            } catch (OriginReads.NoFreeSlot e) {
                buffers.release(b);
                throw new ReadAheadSkipped(e.getMessage());
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
     * @return a buffer for the flight's leader to fill: a kept one, or while nobody awaits the flight
     *     (a read-ahead) and none is free, {@link ReadAheadSkipped}; else a transient one
     */
    private Buffer buffer(Flight flight) throws ReadAheadSkipped {
        if (flight.awaited) {
            return buffers.take();
        }
        Buffer b = buffers.tryTake();
        if (b == null) {
            if (!flight.awaited) {
                throw new ReadAheadSkipped("no free chunk buffer");
            }
            b = buffers.take();
        }
        return b;
    }

    /**
     * Publishes a fetched chunk in memory, notes its hash and hands it to the writer, which stores
     * and then records it. A chunk the writer cannot take (queue full) is served from memory while
     * its buffer lasts and fetched again after; one that hashes to {@link Manifest#UNKNOWN} cannot be
     * named and is fetched every time.
     */
    private boolean keep(FileVersion version, int index, long hash, Buffer b) {
        if (hash == Manifest.UNKNOWN) {
            return true;
        }
        if (collides(hash, b)) {
            LOG.warn("content reader: chunk {} of {} has the xxHash64 {} of a different cached chunk (a hash collision); it is served"
                    + " from the origin every time, never from the cache", index, describe(version.file()), ChunkStore.name(hash));
            return false;
        }
        buffers.publish(b, hash, b.data.limit());
        version.fetched(index, hash);
        if (guard.admits(b.data.limit())) {
            writer.offer(version, index, hash, b);
        } else {
            stats.writeRefused();
        }
        return true;
    }

    /**
     * @return whether another chunk with the same hash but other bytes is in memory or on disk. Costs a
     *     comparison only when a chunk of that hash exists, which for a chunk just fetched means
     *     another file holds the same bytes (or a collision)
     */
    private boolean collides(long hash, Buffer b) {
        int length = b.data.limit();
        Buffer same = buffers.pin(hash, length);
        if (same != null) {
            try {
                return !same.data.duplicate().position(0).limit(length).equals(b.data.duplicate().position(0).limit(length));
            } finally {
                buffers.release(same);
            }
        }
        if (!guard.readsFromDisk()) {
            return false;
        }
        try {
            return store.collides(hash, b.data);
        } catch (IOException e) {
            return false; // unreadable: the writer meets it again and the guard learns of it there
        }
    }

    /** Hands the first chunks of the track after {@code file} in album order to the read-ahead pool. */
    private void readNextTrack(TrackFile file, int chunks) {
        Library lib = library;
        if (lib == null) {
            return;
        }
        try {
            readAheadPool.execute(() -> {
                try {
                    TrackFile next = albumOrder.next(lib.tree(), file);
                    if (next == null || next.size() == 0 || stopped || !guard.prefetching()) {
                        return;
                    }
                    FileVersion v = version(next);
                    int last = Math.min(chunks, v.chunkCount()) - 1;
                    LOG.debug("content reader: {} played to near its end, reading ahead the first {} chunks of the next track {}",
                            describe(file), last + 1, describe(next));
                    for (int i = 0; i <= last; i++) {
                        loadAhead(v, i);
                    }
                } catch (RuntimeException e) {
                    LOG.debug("content reader: next-track read-ahead after {} failed: {}", describe(file), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("content reader: read-ahead queue full or stopped, no next-track read-ahead after {}", describe(file));
        }
    }

    /** Hands chunks {@code range[0]..range[1]} to the read-ahead pool; null does nothing. */
    private void readAhead(FileVersion version, int[] range) {
        if (range == null) {
            return;
        }
        for (int index = range[0]; index <= range[1]; index++) {
            int i = index;
            try {
                readAheadPool.execute(() -> loadAhead(version, i));
            } catch (RejectedExecutionException e) {
                LOG.debug("content reader: read-ahead queue full or stopped, chunks {}-{} of {} are fetched when read", i, range[1],
                        describe(version.file()));
                return;
            }
        }
    }

    /** A read-ahead task: brings the chunk into memory unless it is there or being loaded. Never throws. */
    private void loadAhead(FileVersion version, int index) {
        if (stopped) {
            return;
        }
        int length = version.chunkLength(index);
        try {
            long hash = version.hash(index);
            if (hash != Manifest.UNKNOWN) {
                Buffer b = buffers.pin(hash, length);
                if (b != null) {
                    buffers.release(b); // already in memory; the pin made it recently used
                    return;
                }
            }
            Buffer b = fetch(version, index, length, settings, true);
            if (b != null) {
                stats.readAhead();
                buffers.release(b);
            }
        } catch (ReadAheadSkipped e) {
            version.aheadSkipped(index);
            LOG.debug("content reader: read-ahead of chunk {} of {} skipped: {}", index, describe(version.file()), e.getMessage());
        } catch (IOException | RuntimeException e) {
            // The reader that gets to this chunk meets the same failure and reports it.
            LOG.debug("content reader: read-ahead of chunk {} of {} failed: {}", index, describe(version.file()), e.toString());
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

    private static String describe(TrackFile file) {
        return "file " + file.fileId() + " (" + file.originId() + ":" + file.path() + ")";
    }
}
