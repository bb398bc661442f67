package io.musicfs.catalog.internal.sync;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;
import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;
import io.musicfs.catalog.internal.db.CatalogDb;
import io.musicfs.catalog.internal.db.FileWrite;
import io.musicfs.catalog.internal.db.StoredFile;
import io.musicfs.catalog.internal.db.SyncCheckpoint;
import io.musicfs.catalog.internal.db.TagState;
import io.musicfs.catalog.internal.tags.TagReadResult;
import io.musicfs.catalog.internal.tags.TagReader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the catalog up to date with origins: a full {@link #sync} walks one origin, diffs what it
 * lists against the catalog by (size, mtime, etag), reads the tags of new and changed files and
 * writes them in batches, each committed with the sync checkpoint, then removes the files the
 * origin no longer has, but only after a walk that listed everything. {@link #syncPaths} does the
 * same for a few paths a watcher reported.
 *
 * <p>A sync killed at any moment resumes: the checkpoint committed with each batch keeps the sync
 * generation and its counts, the files committed are current in the catalog so the resumed diff
 * skips them, and the counts go on from the checkpoint, so every file is counted once.
 *
 * <p>A file whose tags cannot be read is stored untagged and logged once, at warn, when that
 * version of it is first seen (it is not read again until it changes). A file the origin fails to
 * deliver is stored untagged when new (so it is listed) and read again at the next sync. An origin
 * that cannot be listed, or stops answering half-way, fails the sync with a
 * {@link SyncFailedException} naming it, and nothing is removed.
 *
 * <p>Threading: {@link #sync} and {@link #syncPaths} may be called from any thread; calls for one
 * origin are serialised by a per-origin lock, calls for different origins run in parallel. A call
 * walks, diffs and writes on the calling thread (database writes stay single-threaded per origin);
 * tag reads go to a pool of {@link Options#tagThreads} threads owned by this object, because
 * remote origins are latency bound. {@link #close} stops the pool: running calls end with an
 * {@link InterruptedIOException} and resume from their checkpoint next time.
 */
public final class OriginSync implements AutoCloseable {

    /**
     * How syncing behaves.
     *
     * @param tagThreads threads reading tags in parallel (shared by all origins)
     * @param batchSize files written per transaction (and per checkpoint)
     * @param localReadDeadline the longest one file's tag read may take on a local origin
     * @param remoteReadDeadline the same on a remote origin
     * @param maxConsecutiveFailures reads in a row that may fail before the origin is probed, and
     *     the sync stopped when the probe fails too
     * @param probeDeadline the longest that probe may take
     */
    public record Options(int tagThreads, int batchSize, Duration localReadDeadline, Duration remoteReadDeadline,
            int maxConsecutiveFailures, Duration probeDeadline) {

        public Options {
            if (tagThreads < 1 || tagThreads > 32) {
                throw new IllegalArgumentException("tagThreads must be 1 to 32, is " + tagThreads);
            }
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1 to 10000, is " + batchSize);
            }
            for (Duration d : List.of(localReadDeadline, remoteReadDeadline, probeDeadline)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("read and probe deadlines must be positive, one is " + d);
                }
            }
            if (maxConsecutiveFailures < 1) {
                throw new IllegalArgumentException("maxConsecutiveFailures must be at least 1, is "
                        + maxConsecutiveFailures);
            }
        }

        /** 3 threads, 200 files a batch, 10 s per local and 60 s per remote read, probe after 10 failures in a row. */
        public static Options defaults() {
            return new Options(3, 200, Duration.ofSeconds(10), Duration.ofSeconds(60), 10, Duration.ofSeconds(5));
        }
    }

    /** Told about every commit, so the tree can follow the sync as it goes. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (originId, written, removedFileIds) -> {
        };

        /** Called on the syncing thread after each commit; should be quick. */
        void committed(String originId, List<CatalogEntry> written, List<Long> removedFileIds);
    }

    /** Fault points for tests (resilience.md, "after a sync batch"); nothing in production. */
    interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** After batch {@code batch} (counted in the generation, from 1) of the origin was committed. */
        default void afterBatchCommitted(String originId, int batch) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(OriginSync.class);
    /** How often a wait for a tag read looks at its deadline and at {@link #closed}. */
    private static final long POLL_MILLIS = 50;
    /** Listing problems remembered so each is logged once per process; beyond this, new ones are still logged. */
    private static final int MAX_REMEMBERED_PROBLEMS = 10_000;

    private final CatalogDb db;
    private final TagReader reader;
    private final Options options;
    private final Listener listener;
    private final Hooks hooks;
    private final ExecutorService tagPool;
    private final Map<String, ReentrantLock> originLocks = new ConcurrentHashMap<>();
    private final Set<String> loggedProblems = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public OriginSync(CatalogDb db, TagReader reader, Options options, Listener listener) {
        this(db, reader, options, listener, Hooks.NONE);
    }

    OriginSync(CatalogDb db, TagReader reader, Options options, Listener listener, Hooks hooks) {
        this.db = db;
        this.reader = reader;
        this.options = options;
        this.listener = listener;
        this.hooks = hooks;
        AtomicInteger n = new AtomicInteger();
        this.tagPool = Executors.newFixedThreadPool(options.tagThreads(), r -> {
            Thread t = new Thread(r, "musicfs-tags-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY); // background work yields the CPU to reads (README: "CPU priorities")
            return t;
        });
    }

    /**
     * Syncs one origin completely, or resumes its sync that stopped half-way.
     *
     * @throws SyncFailedException when the origin cannot be listed or stops answering; nothing is removed
     * @throws InterruptedIOException when this object is closed or the thread interrupted; resumes next time
     * @throws IOException when the catalog database fails
     */
    public SyncSummary sync(Origin origin) throws IOException {
        ReentrantLock lock = lock(origin.id());
        try {
            return fullSync(origin);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Brings a few paths of an origin up to date (a watcher reported them): each listed file is
     * stat'ed and written or removed; a folder's catalogued files are checked the same way.
     *
     * @param changedPaths relative paths of files or folders (a leading {@code /} is ignored)
     * @throws SyncFailedException when the origin does not answer; nothing is changed then
     */
    public DeltaSummary syncPaths(Origin origin, Collection<String> changedPaths) throws IOException {
        ReentrantLock lock = lock(origin.id());
        try {
            return deltaSync(origin, changedPaths);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the tag readers; running syncs end and resume from their checkpoints next time. */
    @Override
    public void close() {
        closed = true;
        tagPool.shutdownNow();
        try {
            if (!tagPool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("sync: tag readers still busy 5 s after close (an origin read that ignores interrupts)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private SyncSummary fullSync(Origin origin) throws IOException {
        long start = System.nanoTime();
        String id = origin.id();
        checkOpen(id);
        Optional<SyncCheckpoint> previous = db.checkpoint(id);
        boolean resumed = previous.isPresent() && !previous.get().complete();
        SyncCheckpoint checkpoint = resumed ? previous.get() : db.beginSync(id, System.currentTimeMillis());
        if (resumed) {
            LOG.info("sync: origin {}: resuming generation {} after {} committed batches", id,
                    checkpoint.generation(), checkpoint.batches());
        }
        Map<String, StoredFile> known = db.identities(id);
        Listing listing = list(origin);

        List<Work> work = new ArrayList<>();
        long unchanged = 0;
        for (OriginEntry e : listing.files()) {
            StoredFile stored = known.get(e.path());
            if (needsReading(stored, e)) {
                work.add(new Work(e, stored));
            } else {
                unchanged++;
            }
        }
        LOG.debug("sync: origin {}: {} listed, {} to read", id, listing.files().size(), work.size());
        Run run = new Run(origin, checkpoint, checkpoint.generation());
        run.process(work);
        checkpoint = run.checkpoint;

        long removed = 0;
        boolean removing = true;
        if (listing.files().isEmpty() && !known.isEmpty()) {
            // an unmounted disk or an emptied share looks exactly like this: never empty the tree
            // on it; an origin the user emptied on purpose is removed from the configuration
            LOG.warn("sync: origin {} listed no audio files but {} are catalogued; keeping them (is it mounted?)",
                    id, known.size());
            removing = false;
        }
        if (removing) {
            Set<String> present = new HashSet<>(listing.files().size() * 2);
            for (OriginEntry e : listing.files()) {
                present.add(e.path());
            }
            List<Long> gone = new ArrayList<>();
            for (StoredFile f : known.values()) {
                if (!present.contains(f.path()) && !listing.unlistedHolds(f.path())) {
                    gone.add(f.fileId());
                }
            }
            checkpoint = checkpoint.finished(gone.size());
            removed = db.delete(gone, checkpoint);
            if (!gone.isEmpty()) {
                notifyListener(id, List.of(), gone);
            }
        } else {
            checkpoint = checkpoint.finished(0);
            db.saveCheckpoint(checkpoint);
        }
        SyncSummary summary = new SyncSummary(id, checkpoint.generation(), resumed, removing && listing.complete(),
                listing.files().size(), checkpoint.added(), checkpoint.changed(), removed, unchanged,
                checkpoint.unreadable(), run.failed, checkpoint.bytesFetched(),
                Duration.ofNanos(System.nanoTime() - start));
        LOG.debug("sync: {}", summary);
        return summary;
    }

    private DeltaSummary deltaSync(Origin origin, Collection<String> changedPaths) throws IOException {
        String id = origin.id();
        checkOpen(id);
        Set<String> paths = new LinkedHashSet<>();
        for (String p : changedPaths) {
            String path = p;
            while (path.startsWith("/")) {
                path = path.substring(1);
            }
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (!path.isEmpty()) {
                paths.add(path);
            }
        }
        long generation = db.checkpoint(id).map(SyncCheckpoint::generation).orElse(0L);
        Map<String, StoredFile> known = null; // the whole origin's identities, only when a folder is named
        Map<String, Work> work = new LinkedHashMap<>();
        Set<Long> gone = new LinkedHashSet<>();
        boolean walkAdvised = false;
        for (String path : paths) {
            if (ListedFiles.isListed(path)) {
                check(origin, path, db.stored(id, path).orElse(null), work, gone);
                continue;
            }
            if (known == null) {
                known = db.identities(id);
            }
            String prefix = path + "/";
            for (StoredFile f : known.values()) {
                if (f.path().startsWith(prefix)) {
                    check(origin, f.path(), f, work, gone);
                }
            }
            // a folder may have brought files no stat can discover; a hidden path or a file
            // that is surely not audio (cover.jpg) brings nothing MusicFS lists
            walkAdvised |= !ListedFiles.isHidden(path) && !ListedFiles.isSurelyNotAudio(path);
        }
        Run run = new Run(origin, null, generation);
        run.process(new ArrayList<>(work.values()));
        long removed = 0;
        if (!gone.isEmpty()) {
            removed = db.delete(gone, null);
            notifyListener(id, List.of(), new ArrayList<>(gone));
        }
        DeltaSummary summary = new DeltaSummary(run.added, run.changed, removed, run.unreadable, run.failed,
                run.bytesFetched, walkAdvised);
        LOG.debug("sync: origin {}: {} paths updated: {}", id, paths.size(), summary);
        return summary;
    }

    /** Stats one path for a delta update: gone, changed or unchanged. */
    private void check(Origin origin, String path, StoredFile stored, Map<String, Work> work, Set<Long> gone)
            throws IOException {
        OriginEntry entry;
        try {
            entry = origin.stat(path);
        } catch (NoSuchFileException e) {
            if (stored != null) {
                gone.add(stored.fileId());
            }
            return;
        } catch (IOException | RuntimeException e) {
            throw new SyncFailedException(origin.id(), "update of origin " + origin.id() + " failed: cannot stat "
                    + path + ": " + e.getMessage(), e);
        }
        if (needsReading(stored, entry)) {
            work.put(path, new Work(entry, stored));
        }
    }

    private static boolean needsReading(StoredFile stored, OriginEntry entry) {
        return stored == null || !stored.sameVersion(entry) || stored.tagState() == TagState.PENDING
                || stored.tagsVersion() < TagReader.VERSION;
    }

    /**
     * What a walk found.
     *
     * @param files the listed audio files
     * @param unlisted paths the walk could not list (a folder without permission, a link loop):
     *     catalogued files at or below them are kept as they are
     */
    private record Listing(List<OriginEntry> files, List<String> unlisted) {

        boolean complete() {
            return unlisted.isEmpty();
        }

        int problems() {
            return unlisted.size();
        }

        boolean unlistedHolds(String path) {
            for (String p : unlisted) {
                if (p.isEmpty() || path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/")) {
                    return true;
                }
            }
            return false;
        }
    }

    private Listing list(Origin origin) throws IOException {
        String id = origin.id();
        List<OriginEntry> files = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> unlisted = new ArrayList<>();
        try {
            origin.walk(new OriginVisitor() {
                @Override
                public void file(OriginEntry entry) {
                    String path = entry.path();
                    if (!ListedFiles.isListed(path)) {
                        return;
                    }
                    if (path.length() > CatalogDb.MAX_PATH_CHARS
                            || (entry.etag() != null && entry.etag().length() > CatalogDb.MAX_ETAG_CHARS)) {
                        logOnce(id, path, "sync: origin {}: skipping {}: its path or etag is too long to catalogue");
                        return;
                    }
                    if (seen.add(path)) {
                        files.add(entry);
                    }
                }

                @Override
                public void problem(String path, IOException cause) {
                    unlisted.add(path);
                    logOnce(id, path + " " + cause.getMessage(), "sync: origin {}: cannot list {}; what it held"
                            + " stays catalogued as it was");
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new SyncFailedException(id, "sync of origin " + id + " failed: cannot list it: " + e.getMessage(), e);
        }
        checkOpen(id);
        return new Listing(files, unlisted);
    }

    private void logOnce(String originId, String key, String message) {
        if (loggedProblems.size() >= MAX_REMEMBERED_PROBLEMS || loggedProblems.add(originId + "\0" + key)) {
            LOG.warn(message, originId, key);
        }
    }

    private ReentrantLock lock(String originId) throws InterruptedIOException {
        ReentrantLock lock = originLocks.computeIfAbsent(originId, k -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("sync of origin " + originId + " interrupted while waiting for another");
        }
        return lock;
    }

    private void checkOpen(String originId) throws InterruptedIOException {
        if (closed) {
            throw new InterruptedIOException("sync of origin " + originId + " stopped: syncing is shut down");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("sync of origin " + originId + " interrupted");
        }
    }

    private void notifyListener(String originId, List<CatalogEntry> written, List<Long> removed) {
        try {
            listener.committed(originId, Collections.unmodifiableList(written), Collections.unmodifiableList(removed));
        } catch (RuntimeException e) {
            LOG.warn("sync: origin {}: the sync listener failed on {} written and {} removed files", originId,
                    written.size(), removed.size(), e);
        }
    }

    /** A file to read: as listed, and as catalogued ({@code null} when new). */
    private record Work(OriginEntry entry, StoredFile stored) {
    }

    /** What reading one file gave: {@link Read}, {@link Vanished} or {@link Failed}. */
    private interface Outcome {
    }

    private record Read(TagReadResult result) implements Outcome {
    }

    private record Vanished() implements Outcome {
    }

    private record Failed(Exception cause) implements Outcome {
    }

    /** One tag read on the pool; knows when it started, so its deadline does not count its time in the queue. */
    private final class ReadTask implements Callable<Outcome> {
        private final Origin origin;
        private final OriginEntry entry;
        volatile long startedNanos;

        ReadTask(Origin origin, OriginEntry entry) {
            this.origin = origin;
            this.entry = entry;
        }

        @Override
        public Outcome call() {
            startedNanos = System.nanoTime();
            try {
                return new Read(reader.read(origin, entry));
            } catch (NoSuchFileException e) {
                return new Vanished();
            } catch (IOException | RuntimeException e) {
                return new Failed(e);
            }
        }
    }

    private record Pending(Work work, ReadTask task, Future<Outcome> future) {
    }

    /**
     * Reads and writes the files of one sync or delta update, on the calling thread, with the tag
     * reads running ahead on the pool in a bounded window.
     */
    private final class Run {
        private final Origin origin;
        private final String id;
        private final long generation;
        private final Duration deadline;
        /** The sync's checkpoint, committed with every batch; {@code null} for a delta update. */
        private SyncCheckpoint checkpoint;
        private final List<FileWrite> batch = new ArrayList<>();
        private long batchAdded;
        private long batchChanged;
        private long batchUnreadable;
        private long batchBytes;
        private int consecutiveFailures;
        long added;
        long changed;
        long unreadable;
        long failed;
        long bytesFetched;

        Run(Origin origin, SyncCheckpoint checkpoint, long generation) {
            this.origin = origin;
            this.id = origin.id();
            this.checkpoint = checkpoint;
            this.generation = generation;
            this.deadline = origin.remote() ? options.remoteReadDeadline() : options.localReadDeadline();
        }

        void process(List<Work> work) throws IOException {
            ArrayDeque<Pending> inFlight = new ArrayDeque<>();
            int window = options.tagThreads() * 4;
            int next = 0;
            try {
                while (next < work.size() || !inFlight.isEmpty()) {
                    while (next < work.size() && inFlight.size() < window) {
                        Work w = work.get(next++);
                        ReadTask task = new ReadTask(origin, w.entry());
                        inFlight.add(new Pending(w, task, tagPool.submit(task)));
                    }
                    Pending p = inFlight.poll();
                    handle(p.work(), await(p));
                    if (batch.size() >= options.batchSize()) {
                        commit();
                    }
                }
                commit();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                throw new InterruptedIOException("sync of origin " + id + " stopped: syncing is shut down");
            } finally {
                for (Pending p : inFlight) {
                    p.future().cancel(true);
                }
            }
        }

        private Outcome await(Pending p) throws IOException {
            while (true) {
                checkOpen(id);
                try {
                    return p.future().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    long started = p.task().startedNanos;
                    if (started != 0 && System.nanoTime() - started > deadline.toNanos()) {
                        p.future().cancel(true);
                        return new Failed(new InterruptedIOException(
                                "no answer within " + deadline.toMillis() + " ms"));
                    }
                } catch (CancellationException e) {
                    return new Failed(new InterruptedIOException("the read was cancelled"));
                } catch (ExecutionException e) {
                    return new Failed(new IOException(String.valueOf(e.getCause()), e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("sync of origin " + id + " interrupted");
                }
            }
        }

        private void handle(Work work, Outcome outcome) throws IOException {
            OriginEntry entry = work.entry();
            boolean isNew = work.stored() == null;
            if (outcome instanceof Read read) {
                consecutiveFailures = 0;
                TagReadResult r = read.result();
                if (r.readable()) {
                    batch.add(new FileWrite(entry, r.tags(), TagState.READ, TagReader.VERSION, null));
                } else {
                    LOG.warn("sync: origin {}: cannot read the tags of {}: {}; it is listed untagged", id,
                            entry.path(), r.problem());
                    batch.add(new FileWrite(entry, TrackTags.NONE, TagState.UNREADABLE, TagReader.VERSION,
                            r.problem()));
                    batchUnreadable++;
                }
                batchBytes += r.bytesFetched();
                if (isNew) {
                    batchAdded++;
                } else {
                    batchChanged++;
                }
            } else if (outcome instanceof Failed f) {
                failed++;
                LOG.warn("sync: origin {}: reading the tags of {} failed ({}); it is read again at the next sync",
                        id, entry.path(), f.cause().toString());
                if (isNew) {
                    // listed now (untagged), tags later: PENDING is retried by every sync
                    batch.add(new FileWrite(entry, TrackTags.NONE, TagState.PENDING, TagReader.VERSION,
                            "reading failed: " + f.cause()));
                    batchAdded++;
                }
                failure(f.cause());
            } else {
                // vanished between listing and reading: the next sync sees it gone and removes it
                LOG.debug("sync: origin {}: {} vanished while its tags were read", id, entry.path());
                failure(new NoSuchFileException(entry.path()));
            }
        }

        /** Counts a failure in a row; too many, and an origin that fails its probe too, stop the sync. */
        private void failure(Exception cause) throws IOException {
            if (++consecutiveFailures < options.maxConsecutiveFailures()) {
                return;
            }
            IOException probe = probe(origin);
            if (probe == null) {
                consecutiveFailures = 0; // the origin answers: those files are the problem, not the origin
                return;
            }
            commit(); // keep what was read
            throw new SyncFailedException(id, "sync of origin " + id + " stopped: " + consecutiveFailures
                    + " reads in a row failed (last: " + cause + ") and the origin fails its probe: "
                    + probe.getMessage(), probe);
        }

        private void commit() throws IOException {
            if (batch.isEmpty()) {
                return;
            }
            List<CatalogEntry> written;
            if (checkpoint != null) {
                checkpoint = checkpoint.plusBatch(batchAdded, batchChanged, batchUnreadable, batchBytes);
                written = db.upsert(id, batch, generation, checkpoint);
            } else {
                written = db.upsert(id, batch, generation, null);
            }
            added += batchAdded;
            changed += batchChanged;
            unreadable += batchUnreadable;
            bytesFetched += batchBytes;
            batch.clear();
            batchAdded = 0;
            batchChanged = 0;
            batchUnreadable = 0;
            batchBytes = 0;
            notifyListener(id, written, List.of());
            if (checkpoint != null) {
                hooks.afterBatchCommitted(id, checkpoint.batches());
            }
        }
    }

    /** @return {@code null} when the origin answers its probe in time, else why not */
    private IOException probe(Origin origin) {
        CompletableFuture<IOException> answer = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                origin.probe();
                answer.complete(null);
            } catch (IOException e) {
                answer.complete(e);
            } catch (RuntimeException e) {
                answer.complete(new IOException(e.toString(), e));
            }
        }, "musicfs-sync-probe-" + origin.id());
        t.setDaemon(true);
        t.start();
        try {
            return answer.get(options.probeDeadline().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            return new IOException("no answer to the probe within " + options.probeDeadline().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InterruptedIOException("interrupted while probing");
        } catch (ExecutionException e) {
            return new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }
}
