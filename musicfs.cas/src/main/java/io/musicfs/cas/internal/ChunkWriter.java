package io.musicfs.cas.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.TrackFile;
import io.musicfs.cas.internal.ChunkBufferPool.Buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caches fetched chunks behind the readers' backs: writes each to the {@link ChunkStore}, then records
 * it in its file's manifest, on one background thread ({@code musicfs-cas-writer}), so a reader has
 * its bytes as soon as they are fetched and verified instead of after an fsync and a database commit.
 *
 * <p>Order, per chunk (resilience 5.7): the chunk is written to a temporary file, fsynced and renamed
 * into place ({@link ChunkStore#write}); only after that is it recorded in the manifest, unless the
 * manifest holds it already (a chunk evicted and fetched again). A chunk whose
 * write fails is never recorded. A crash at any moment leaves at worst a chunk file nobody indexes
 * yet (found again when the same content is fetched), never an index entry without its chunk.
 *
 * <p>Bounded: at most {@code capacity} chunks are queued or being written. When that many are,
 * {@link #offer} refuses at once and the chunk is served but not cached (counted in
 * {@link CacheStats#writesSkipped()}): a reader never waits for the disk, and memory does not grow.
 * Each accepted chunk keeps a pin on its buffer until it has been written and recorded, so it is
 * served from memory to every reader until it is on disk. A refused chunk is remembered (its name
 * only, never its buffer; the last {@code rememberSkipped} of them): when the queue runs empty the
 * writer caches those still in memory ({@link ChunkBufferPool#pin}), so a file read faster than the
 * disk can take still ends up cached as far as memory held it, without a reader ever waiting. Whatever is queued when the writer wakes
 * is one batch: all its chunks are written, then all are recorded. ({@link ManifestStore} records one
 * chunk per call, one database commit each; a call recording a batch would take one.)
 *
 * <p>Stop ({@link #close}): no more chunks are accepted; queued ones are written and recorded for up
 * to the drain time, then the rest are dropped unrecorded; the writer finishes the step it is in
 * (one write or one record, never half of one) and stops.
 *
 * <p>Threading: {@link #offer} from any thread. The monitor of this object guards admission
 * ({@code pending}, {@code closing}) and is held for a queue insert or a counter update only; it is
 * a leaf (the pool's monitor is never taken inside it). The writer thread holds no lock while it
 * writes or calls the manifest store.
 */
final class ChunkWriter implements AutoCloseable {

    /** A named point in the writer where tests inject a fault (throw) or a pause (block). Off (null) in production. */
    interface FaultPoint {
        void reached(TrackFile file, int index, long hash) throws IOException;
    }

    /**
     * Whether a chunk may be written now, and what came of each write: the size limit and the cache
     * disk's state ({@link CacheGuard}) decide, and learn from failures. Called on the writer thread.
     */
    interface Admission {
        /** Writes everything, learns nothing. */
        Admission ALWAYS = new Admission() {
        };

        default boolean admits(int length) {
            return true;
        }

        /** The chunk was written (or was there already) for a file of {@code originId}. */
        default void written(String originId, long hash) {
        }

        default void failed(IOException e) {
        }
    }

    /** How long {@link #close} waits beyond the drain time for the writer to finish the one step it is in. */
    static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWriter.class);

    /** One chunk to cache. {@code written} and {@code settled} belong to the writer thread. */
    private static final class Pending {
        final FileVersion version;
        final int index;
        final long hash;
        final Buffer buffer;
        /** On disk under its name. */
        boolean written;
        /** Recorded, or given up after a failure: not dropped by a stop. */
        boolean settled;

        Pending(FileVersion version, int index, long hash, Buffer buffer) {
            this.version = version;
            this.index = index;
            this.hash = hash;
            this.buffer = buffer;
        }
    }

    /** A chunk the queue had no room for, to cache later if it is still in memory then. */
    private record Skipped(FileVersion version, int index, long hash, int length) {
    }

    /** Queued last, by {@link #close}: the writer stops when it reaches it. */
    private static final Pending STOP = new Pending(null, -1, 0, null);

    private final ChunkStore store;
    private final ManifestStore manifests;
    private final ChunkBufferPool buffers;
    private final CacheStats stats;
    private final int chunkSize;
    private final int capacity;
    private final int rememberSkipped;
    private final Thread thread;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Throttle storeWarnings;
    private final Throttle manifestWarnings;

    /** Set when the drain time is over: what is not recorded yet is dropped. */
    private volatile boolean abandon;

    // Guarded by this.
    private int pending;
    private boolean closing;
    /** Oldest first; at most {@code rememberSkipped}. */
    private final ArrayDeque<Skipped> skipped = new ArrayDeque<>();

    /** Set once before use by the content reader; {@link Admission#ALWAYS} in tests that do not care. */
    volatile Admission admission = Admission.ALWAYS;

    // Fault points for tests, between the steps of caching a chunk.
    volatile FaultPoint beforeWrite;
    volatile FaultPoint betweenWriteAndIndex;

    /**
     * @param capacity chunks queued or being written at most
     * @param rememberSkipped refused chunks remembered to be cached when the queue runs empty (more
     *     than the pool's buffers would be pointless: the oldest are gone from memory)
     */
    ChunkWriter(ChunkStore store, ManifestStore manifests, ChunkBufferPool buffers, CacheStats stats, int chunkSize, int capacity,
            int rememberSkipped, Throttle storeWarnings, Throttle manifestWarnings) {
        if (capacity < 1 || rememberSkipped < 0) {
            throw new IllegalArgumentException("chunk writer capacity " + capacity + ", remembering " + rememberSkipped);
        }
        this.rememberSkipped = rememberSkipped;
        this.store = store;
        this.manifests = manifests;
        this.buffers = buffers;
        this.stats = stats;
        this.chunkSize = chunkSize;
        this.capacity = capacity;
        this.storeWarnings = storeWarnings;
        this.manifestWarnings = manifestWarnings;
        this.thread = new Thread(this::run, "musicfs-cas-writer");
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MIN_PRIORITY); // background work yields the CPU to reads (README: "CPU priorities")
        this.thread.start();
    }

    int capacity() {
        return capacity;
    }

    /**
     * Queues a fetched, verified chunk to be written and then recorded as chunk {@code index} of the
     * version. The caller holds {@code buffer} pinned, published under {@code hash}; when accepted,
     * the writer takes a pin of its own and drops it once the chunk is on disk and recorded.
     *
     * @return whether the chunk was accepted; false when the queue is full or the writer is stopping
     *     (the chunk is then not cached)
     */
    boolean offer(FileVersion version, int index, long hash, Buffer buffer) {
        buffers.retain(buffer);
        boolean accepted;
        boolean stopping;
        synchronized (this) {
            stopping = closing;
            accepted = !closing && pending < capacity;
            if (accepted) {
                pending++;
                queue.add(new Pending(version, index, hash, buffer));
            } else if (!closing && rememberSkipped > 0) {
                if (skipped.size() == rememberSkipped) {
                    skipped.poll();
                }
                skipped.add(new Skipped(version, index, hash, buffer.data.limit()));
            }
        }
        if (!accepted) {
            buffers.release(buffer);
            if (!stopping) {
                stats.writeSkipped();
                LOG.debug("chunk writer: queue full ({} chunks), chunk {} of {} ({}) served but not cached", capacity, index,
                        version.file().fileId(), version.file().path());
            }
        }
        return accepted;
    }

    /**
     * Waits until every accepted chunk has been written and recorded (or given up), and every
     * remembered skipped one cached or found gone from memory.
     *
     * @return whether that happened within the timeout
     */
    synchronized boolean awaitIdle(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (pending > 0 || !skipped.isEmpty() && !closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** {@link #close(long)} with no drain time: what is queued is dropped. */
    @Override
    public void close() {
        close(0);
    }

    /**
     * Stops accepting chunks, lets queued ones be written and recorded for up to {@code drainNanos},
     * drops the rest, and waits at most {@link #STOP_GRACE_NANOS} more for the writer to finish the
     * step it is in. Returns within {@code drainNanos + STOP_GRACE_NANOS} whatever the disk or the
     * manifest store do; a writer still stuck then is left to finish that one step and records nothing more.
     */
    void close(long drainNanos) {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            queue.add(STOP);
        }
        try {
            if (drainNanos > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, drainNanos);
            }
            if (thread.isAlive()) {
                abandon = true;
                TimeUnit.NANOSECONDS.timedJoin(thread, STOP_GRACE_NANOS);
            }
        } catch (InterruptedException e) {
            abandon = true;
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("chunk writer: still busy {} ms after stop was asked; left to finish its current step, it records nothing more",
                    TimeUnit.NANOSECONDS.toMillis(drainNanos + STOP_GRACE_NANOS));
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        long droppedAtStop = 0;
        try {
            boolean stop = false;
            while (!stop) {
                Pending next = queue.poll();
                if (next == null) {
                    next = skippedStillInMemory();
                }
                batch.add(next != null ? next : queue.take());
                queue.drainTo(batch);
                stop = batch.get(batch.size() - 1) == STOP;
                if (stop) {
                    batch.remove(batch.size() - 1);
                }
                try {
                    cache(batch);
                } finally {
                    droppedAtStop += done(batch);
                    batch.clear();
                }
            }
            if (droppedAtStop > 0) {
                LOG.info("chunk writer: stopped, {} queued chunks dropped before they were recorded (they are fetched again when read)",
                        droppedAtStop);
            }
        } catch (InterruptedException e) {
            // nobody interrupts the writer; if someone does, it stops like at close
        } catch (RuntimeException | Error e) {
            LOG.error("chunk writer: stopped by an unexpected failure, fetched chunks are no longer cached: {}", e.toString(), e);
        }
    }

    /**
     * @return the oldest remembered skipped chunk that is still in memory and not recorded since,
     *     pinned and counted as pending; null when there is none
     */
    private Pending skippedStillInMemory() {
        while (true) {
            Skipped s;
            synchronized (this) {
                s = closing ? null : skipped.poll();
                if (s == null) {
                    notifyAll(); // idle now, unless the queue has something
                    return null;
                }
                pending++;
            }
            Buffer b = s.version().recordedAs(s.index(), s.hash()) ? null : buffers.pin(s.hash(), s.length());
            if (b != null) {
                return new Pending(s.version(), s.index(), s.hash(), b);
            }
            synchronized (this) {
                pending--;
            }
        }
    }

    /** Writes every chunk of the batch, then records the written ones, one call per file. */
    private void cache(List<Pending> batch) {
        for (Pending p : batch) {
            if (abandon) {
                return;
            }
            TrackFile file = p.version.file();
            Admission a = admission;
            if (!a.admits(p.buffer.data.limit())) {
                p.settled = true;
                stats.writeRefused();
                continue;
            }
            try {
                fault(beforeWrite, p);
                store.write(p.hash, p.buffer.data);
                fault(betweenWriteAndIndex, p);
                p.written = true;
                a.written(file.originId(), p.hash);
            } catch (ChunkStore.ChunkCollision e) {
                p.settled = true;
                p.version.forget(p.index, p.hash);
                buffers.unpublish(p.buffer);
                LOG.warn("chunk writer: chunk {} of file {} ({}): {}", p.index, file.fileId(), file.path(), e.getMessage());
            } catch (IOException e) {
                p.settled = true;
                a.failed(e);
                storeWarnings.warn("chunk writer: chunk {} of file {} ({}) served but not cached: {}", p.index, file.fileId(), file.path(),
                        e.toString());
            } catch (RuntimeException e) {
                p.settled = true;
                storeWarnings.warn("chunk writer: chunk {} of file {} ({}) served but not cached: {}", p.index, file.fileId(), file.path(),
                        e.toString());
            }
        }
        // One record call per file: a database store commits once for all of a file's chunks in the batch.
        // A chunk the manifest already holds (evicted, then fetched again: the same bytes, the same hash) needs none.
        Map<FileVersion, List<Pending>> byFile = new LinkedHashMap<>();
        for (Pending p : batch) {
            if (p.written && p.version.recordedAs(p.index, p.hash)) {
                p.settled = true;
            } else if (p.written) {
                byFile.computeIfAbsent(p.version, v -> new ArrayList<>()).add(p);
            }
        }
        for (Map.Entry<FileVersion, List<Pending>> group : byFile.entrySet()) {
            if (abandon) {
                return;
            }
            record(group.getKey(), group.getValue());
        }
    }

    /** Records the written chunks of one file in its manifest; on failure each is fetched again when read. */
    private void record(FileVersion version, List<Pending> written) {
        TrackFile file = version.file();
        int[] indexes = new int[written.size()];
        long[] hashes = new long[written.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = written.get(i).index;
            hashes[i] = written.get(i).hash;
        }
        try {
            manifests.recordChunks(file, chunkSize, indexes, hashes);
            for (Pending p : written) {
                version.recorded(p.index, p.hash);
            }
        } catch (IOException | RuntimeException e) {
            manifestWarnings.warn("chunk writer: cannot record {} of file {} ({}), they will be fetched again: {}",
                    indexes.length == 1 ? "chunk " + indexes[0] : "chunks " + Arrays.toString(indexes), file.fileId(), file.path(),
                    e.toString());
        } finally {
            for (Pending p : written) {
                p.settled = true;
            }
        }
    }

    /** Releases the batch's buffers and admits as many new chunks. @return how many chunks the stop dropped */
    private long done(List<Pending> batch) {
        long dropped = 0;
        for (Pending p : batch) {
            buffers.release(p.buffer);
            if (!p.settled) {
                dropped++;
            }
        }
        stats.writesAbandoned(dropped);
        synchronized (this) {
            pending -= batch.size();
            if (pending == 0) {
                notifyAll();
            }
        }
        return dropped;
    }

    private static void fault(FaultPoint point, Pending p) throws IOException {
        if (point != null) {
            point.reached(p.version.file(), p.index, p.hash);
        }
    }
}
