package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.CacheStatus.State;
import io.musicfs.api.cache.Progress;
import io.musicfs.api.cache.VerifyReport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the chunk cache inside its disk budget and out of a broken disk's way. It owns:
 * <ul>
 * <li>the size limit: eviction of least recently used chunks once the store passes
 * {@link #EVICT_ABOVE} of the limit, down to {@link #EVICT_DOWN_TO} (chunks of files being read now
 * last); read-ahead and prefetch stop above {@link #PREFETCH_STOPS_ABOVE}; new chunks are not
 * cached above {@link #WRITES_STOP_ABOVE} or when a chunk would not fit;</li>
 * <li>the state: {@link State#ACTIVE}, or {@link State#PASSTHROUGH} when the cache disk is full
 * (free space below the reserve, or a write failed for lack of space), read-only, or failing
 * ({@link #FAILURES_BEFORE_PASSTHROUGH} writes in a row failed). In passthrough nothing is written,
 * read-ahead and prefetch stop, and (for a failing disk) chunks are not read from it either; the
 * disk is probed every probe interval and caching resumes after a probe write and an integrity
 * check of a sample of chunks pass. Every change is logged once and told to the listener;</li>
 * <li>the upkeep thread ({@code musicfs-cas-upkeep}): a tick every second (free space, eviction),
 * the chunks' last access written to disk every {@link #PERSIST_ACCESS_MILLIS}, the probe, and the
 * daily scrub of a sample of chunks (all of them when more than 1% of the sample is bad).</li>
 * </ul>
 *
 * <p>Threading: {@link #admits}, {@link #prefetching}, {@link #readsFromDisk} are volatile reads,
 * called from any thread on the read path. State changes hold the monitor of this object (a leaf:
 * the listener is called after it is released). Verification, from the scrub or an operator, holds
 * {@code verifyLock} so two never run at once; eviction and probes run on the upkeep thread only.
 */
final class CacheGuard implements AutoCloseable {

    /** Eviction starts when the store holds more than this share of the limit... */
    static final double EVICT_ABOVE = 0.90;
    /** ...and deletes least recently used chunks until it holds this share. */
    static final double EVICT_DOWN_TO = 0.85;
    /** Above this share read-ahead and prefetch stop: they would only push out what is read now. */
    static final double PREFETCH_STOPS_ABOVE = 0.95;
    /** Why read-ahead and prefetch were shed from outside (file descriptors running out), or null. */
    private volatile String shedReason;
    /** Above this share fetched chunks are served but not cached, until eviction makes room. */
    static final double WRITES_STOP_ABOVE = 0.99;
    /** Chunk writes failing in a row (for other reasons than a full or read-only disk) before the disk counts as failing. */
    static final int FAILURES_BEFORE_PASSTHROUGH = 3;
    /** How often the upkeep thread checks free space and the limit. */
    static final long TICK_MILLIS = 1_000;
    /** How often the chunks' last access is written to their files: what a crash can lose of the LRU order. */
    static final long PERSIST_ACCESS_MILLIS = 30_000;
    /** Chunks an integrity check after passthrough reads, and the daily scrub's sample. */
    static final int CHECK_SAMPLE = 1_000;
    /** Share of bad chunks in a sample above which every chunk is verified. */
    static final double BAD_SHARE_FOR_FULL_SCRUB = 0.01;

    private static final Logger LOG = LoggerFactory.getLogger(CacheGuard.class);

    /** Told of every state change, after it happened, on the thread that made it. */
    interface Listener {
        void stateChanged(State now, State previous, String reason);
    }

    /**
     * The limits in force; replaced as a whole when the configuration changes.
     *
     * @param limitBytes the size limit of the chunk store
     * @param reserveBytes free space the cache leaves on its disk: below it the disk counts as full
     * @param probeMillis how often a disk in passthrough is probed
     * @param scrubMillis how often a sample of chunks is verified (0: never)
     */
    record Limits(long limitBytes, long reserveBytes, long probeMillis, long scrubMillis) {
    }

    private final ChunkStore store;
    private final CacheStats stats;
    private final Supplier<LongPredicate> readingNow;
    private final Listener listener;
    private final ScheduledExecutorService upkeep;
    private final ReentrantLock verifyLock = new ReentrantLock();
    private final AtomicBoolean evictionQueued = new AtomicBoolean();

    private volatile Limits limits;
    private volatile boolean stopped;

    // Guarded by this; volatile for the lock-free readers.
    private volatile State state = State.ACTIVE;
    private volatile String reason;
    /** Whether chunks are read from the disk: false only while it is failing. */
    private volatile boolean diskReadable = true;
    private int failuresInARow;

    // Upkeep thread only.
    private long nextProbeNanos;
    private long nextPersistNanos;
    private long nextScrubNanos;

    /**
     * @param readingNow asked once per eviction: whether a chunk belongs to a file being read now (evicted last)
     * @param listener told of state changes
     */
    CacheGuard(ChunkStore store, CacheStats stats, Limits limits, Supplier<LongPredicate> readingNow, Listener listener) {
        this.store = store;
        this.stats = stats;
        this.limits = limits;
        this.readingNow = readingNow;
        this.listener = listener;
        long now = System.nanoTime();
        this.nextPersistNanos = now + TimeUnit.MILLISECONDS.toNanos(PERSIST_ACCESS_MILLIS);
        this.nextScrubNanos = limits.scrubMillis() > 0 ? now + TimeUnit.MILLISECONDS.toNanos(limits.scrubMillis()) : Long.MAX_VALUE;
        this.upkeep = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "musicfs-cas-upkeep");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY); // background work yields the CPU to reads (README: "CPU priorities")
            return t;
        });
        upkeep.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * The default size limit when none is configured: 20 GiB (about 600 lossless albums, a few
     * months of listening kept offline), but at most a tenth of the cache's disk, so the default
     * never crowds a small disk.
     */
    static long defaultLimit(long diskBytes) {
        long twentyGiB = 20L << 30;
        return diskBytes > 0 ? Math.min(twentyGiB, diskBytes / 10) : twentyGiB;
    }

    void limits(Limits newLimits) {
        limits = newLimits;
        upkeep.execute(this::tick);
    }

    Limits limits() {
        return limits;
    }

    State state() {
        return state;
    }

    /** @return whether a fetched chunk of {@code length} bytes may be written now */
    boolean admits(int length) {
        if (state != State.ACTIVE) {
            return false;
        }
        long limit = limits.limitBytes();
        long bytes = stats.bytes();
        return bytes + length <= limit && bytes <= (long) (limit * WRITES_STOP_ABOVE);
    }

    /** @return whether read-ahead and prefetch may run now */
    boolean prefetching() {
        return state == State.ACTIVE && shedReason == null && stats.bytes() <= (long) (limits.limitBytes() * PREFETCH_STOPS_ABOVE);
    }

    /**
     * Stops read-ahead and prefetch for a reason outside the cache, or lets them run again.
     *
     * @return whether that changed anything
     */
    boolean shedPrefetch(String reason) {
        String before = shedReason;
        shedReason = reason;
        return (before == null) != (reason == null);
    }

    /** @return whether chunks may be read from the disk now (not while it is failing) */
    boolean readsFromDisk() {
        return diskReadable;
    }

    CacheStatus status() {
        return new CacheStatus(state, reason, stats.bytes(), limits.limitBytes(), stats.chunks(), stats.hits(), stats.misses(),
                stats.evictions(), stats.badChunks(), prefetching(), stats.originBytes(), stats.servedBytes());
    }

    /** A chunk was written: the disk works; eviction is queued when the store passed its threshold. */
    void written() {
        synchronized (this) {
            failuresInARow = 0;
        }
        if (stats.bytes() > (long) (limits.limitBytes() * EVICT_ABOVE) && evictionQueued.compareAndSet(false, true)) {
            try {
                upkeep.execute(() -> {
                    evictionQueued.set(false);
                    evictIfNeeded();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                evictionQueued.set(false); // stopping
            }
        }
    }

    /** A chunk write failed: a full or read-only disk switches to passthrough at once, other failures after a few in a row. */
    void writeFailed(IOException e) {
        String why = classify(e);
        if (why != null) {
            passthrough(why + ": " + store.directory(), true);
            return;
        }
        boolean failing;
        synchronized (this) {
            failing = ++failuresInARow >= FAILURES_BEFORE_PASSTHROUGH;
        }
        if (failing) {
            passthrough("cache disk failing: " + FAILURES_BEFORE_PASSTHROUGH + " chunk writes in a row failed in " + store.directory()
                    + ", last: " + e.getMessage(), false);
        }
    }

    /** @return "cache disk full" or "cache disk read-only" when the failure says so, else null */
    static String classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : String.valueOf(t.getMessage());
            if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
                return "cache disk full";
            }
            if (t instanceof ReadOnlyFileSystemException || m.contains("Read-only file system")) {
                return "cache disk read-only";
            }
            if (t instanceof AccessDeniedException) {
                return "cache disk read-only (permission denied)";
            }
        }
        return null;
    }

    /**
     * Verifies chunks now, on the caller's thread, one verification at a time.
     *
     * @param all every chunk (and a walk of the whole tree that corrects the counts), else a sample
     */
    VerifyReport verify(boolean all, Progress progress) throws InterruptedException {
        long t0 = System.nanoTime();
        verifyLock.lockInterruptibly();
        try {
            ChunkStore.Verification v = store.verify(all, CHECK_SAMPLE, progress);
            VerifyReport report = new VerifyReport(v.checked(), v.corrupt(), v.missing(), v.unindexed(), v.accountingFixed(),
                    Duration.ofNanos(System.nanoTime() - t0));
            LOG.info("cache: verified {} chunks{}: {} corrupt, {} missing, {} unindexed files deleted{}, in {} ms", v.checked(),
                    all ? " (all)" : " (sample)", v.corrupt(), v.missing(), v.unindexed(), v.accountingFixed() ? ", size accounting corrected" : "",
                    report.took().toMillis());
            return report;
        } finally {
            verifyLock.unlock();
        }
    }

    /** Stops the upkeep thread and writes the last accesses out. */
    @Override
    public void close() {
        stopped = true;
        upkeep.shutdownNow();
        try {
            upkeep.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (diskReadable) {
            store.persistAccess();
        }
    }

    /** Runs every {@link #TICK_MILLIS} on the upkeep thread. Never throws: a failure is logged and the next tick tries again. */
    private void tick() {
        if (stopped) {
            return;
        }
        try {
            long now = System.nanoTime();
            if (state == State.ACTIVE) {
                checkFreeSpace();
                evictIfNeeded();
                if (now - nextPersistNanos >= 0) {
                    nextPersistNanos = now + TimeUnit.MILLISECONDS.toNanos(PERSIST_ACCESS_MILLIS);
                    store.persistAccess();
                }
                if (now - nextScrubNanos >= 0) {
                    nextScrubNanos = now + TimeUnit.MILLISECONDS.toNanos(limits.scrubMillis());
                    scrub();
                }
            } else if (now - nextProbeNanos >= 0) {
                nextProbeNanos = now + TimeUnit.MILLISECONDS.toNanos(limits.probeMillis());
                probe();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("cache upkeep: unexpected failure, trying again in {} ms: {}", TICK_MILLIS, e.toString(), e);
        }
    }

    private void checkFreeSpace() {
        long free;
        try {
            if (store.readOnly()) {
                passthrough("cache disk read-only: " + store.directory(), true);
                return;
            }
            free = store.usableSpace();
        } catch (IOException e) {
            LOG.debug("cache upkeep: cannot read the free space of {}: {}", store.directory(), e.toString());
            return;
        }
        long reserve = limits.reserveBytes();
        if (free < reserve) {
            passthrough("cache disk full: " + free + " bytes free on " + store.directory() + ", below the reserve of " + reserve, true);
        }
    }

    private void evictIfNeeded() {
        long limit = limits.limitBytes();
        if (stats.bytes() <= (long) (limit * EVICT_ABOVE)) {
            return;
        }
        long before = stats.bytes();
        long t0 = System.nanoTime();
        long since = System.currentTimeMillis(); // chunks written from now on belong to reads going on: the snapshot misses them
        int evicted = store.evict((long) (limit * EVICT_DOWN_TO), readingNow.get(), since);
        stats.evicted(evicted);
        LOG.info("cache: evicted {} least recently used chunks ({} bytes) in {} ms to stay under the limit of {} bytes", evicted,
                before - stats.bytes(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), limit);
    }

    /** The daily scrub: a sample, and everything when more than 1% of it is bad. */
    private void scrub() throws InterruptedException {
        VerifyReport sample = verify(false, null);
        if (sample.checked() > 0 && (double) sample.corrupt() / sample.checked() > BAD_SHARE_FOR_FULL_SCRUB) {
            LOG.warn("cache: {} of {} sampled chunks were bad; verifying all of them", sample.corrupt(), sample.checked());
            verify(true, null);
        }
    }

    /** In passthrough: can the disk take writes again and is there room? Then an integrity check, then active. */
    private void probe() throws InterruptedException {
        try {
            if (store.readOnly()) {
                LOG.debug("cache upkeep: probe of {}: still read-only", store.directory());
                return;
            }
            store.probe();
            long free = store.usableSpace();
            if (free < limits.reserveBytes()) {
                LOG.debug("cache upkeep: probe of {}: still only {} bytes free", store.directory(), free);
                return;
            }
        } catch (IOException e) {
            LOG.debug("cache upkeep: probe of {} failed: {}", store.directory(), e.toString());
            return;
        }
        VerifyReport check = verify(false, null);
        if (check.checked() > 0 && (double) check.corrupt() / check.checked() > BAD_SHARE_FOR_FULL_SCRUB) {
            verify(true, null);
        }
        State previous;
        synchronized (this) {
            previous = state;
            state = State.ACTIVE;
            reason = null;
            diskReadable = true;
            failuresInARow = 0;
        }
        LOG.info("cache: disk {} works again (probe and integrity check passed: {} chunks checked, {} bad); caching resumes",
                store.directory(), check.checked(), check.corrupt());
        listener.stateChanged(State.ACTIVE, previous, null);
    }

    private void passthrough(String why, boolean readable) {
        synchronized (this) {
            if (state == State.PASSTHROUGH) {
                if (!readable) {
                    diskReadable = false;
                }
                return;
            }
            state = State.PASSTHROUGH;
            reason = why;
            diskReadable = readable;
            nextProbeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.probeMillis());
        }
        long probe = limits.probeMillis();
        LOG.warn("cache: {}; reads go straight to the origins, nothing is cached and read-ahead stops; the disk is probed every {}",
                why, probe >= 1_000 ? TimeUnit.MILLISECONDS.toSeconds(probe) + " s" : probe + " ms");
        listener.stateChanged(State.PASSTHROUGH, State.ACTIVE, why);
    }
}
