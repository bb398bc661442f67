package io.musicfs.catalog.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginChange;
import io.musicfs.api.origin.OriginWatch;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.catalog.internal.db.CatalogDb;
import io.musicfs.catalog.internal.path.LibraryLayout;
import io.musicfs.catalog.internal.sync.DeltaSummary;
import io.musicfs.catalog.internal.sync.OriginSync;
import io.musicfs.catalog.internal.sync.SyncSummary;
import io.musicfs.catalog.internal.tags.TagReader;
import io.musicfs.catalog.internal.tree.TreeBuilder;

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
 * The catalog: owns the Derby database, keeps the virtual tree, and keeps both in step with the
 * origins. At activation the tree is built from what is persisted, so the mount serves at once;
 * every origin that appears is synced in the background (resuming a sync that was cut short) and
 * watched where it can push changes. An origin that goes away keeps its tracks in the tree: only
 * the origin's own listing, or its removal from the configured {@code origins}, removes them.
 *
 * <p>Threads: "musicfs-sync-N" run syncs (one per origin at a time, several origins in parallel);
 * "musicfs-catalog" rebuilds the tree and debounces watcher changes. The entries map is
 * concurrent; the tree is an immutable snapshot behind a volatile field.
 */
@Component(configurationPid = LibraryCatalog.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {Library.class, ManifestStore.class})
@Designate(ocd = LibraryCatalog.Config.class)
public class LibraryCatalog implements Library, ManifestStore {

    static final String PID = "musicfs.catalog";
    private static final Logger LOG = LoggerFactory.getLogger(LibraryCatalog.class);
    /** how long a burst of watcher changes is gathered before it is synced in one go */
    private static final long WATCH_DEBOUNCE_MILLIS = 300;
    /** how long commits are gathered before the tree is rebuilt (a first scan commits often) */
    private static final long REBUILD_DELAY_MILLIS = 200;
    private static final int SYNC_THREADS = 4;

    @ObjectClassDefinition(name = "MusicFS catalog", description = "The catalog database, path patterns and sync")
    public @interface Config {
        @AttributeDefinition(name = "Database folder", description = "Where the Derby catalog lives")
        String databaseDir();

        @AttributeDefinition(name = "Configured origins", description = "Ids of all configured origins, most preferred "
                + "first; catalogued files of any other origin are removed. Empty: remove nothing")
        String[] origins() default {};

        @AttributeDefinition(name = "Path pattern", description = "Path of a tagged track (docs/paths.md)")
        String path_default() default LibraryLayout.DEFAULT_PATTERN;

        @AttributeDefinition(name = "Compilation path pattern", description = "Path of a track of a compilation")
        String path_compilation() default LibraryLayout.COMPILATION_PATTERN;

        @AttributeDefinition(name = "Untagged path pattern", description = "Path of a file without a title")
        String path_untagged() default LibraryLayout.UNTAGGED_PATTERN;

        @AttributeDefinition(name = "Tag reader threads", description = "Files whose tags are read at once (1 to 32)")
        int tagThreads() default 3;

        @AttributeDefinition(name = "Poll interval", description = "Seconds between syncs of an origin that cannot push its "
                + "changes (S3, SFTP); 0 turns polling off")
        int pollIntervalSeconds() default 300;
    }

    private volatile EventAdmin events;
    /** runs the poll loops when present, so a loop that dies is restarted and reported */
    private volatile Supervisor supervisor;
    /**
     * test fault point: -Dmusicfs.fault.catalog.failActivationsForMillis=T makes every activation in the
     * first T ms after the class is loaded (the bundle's start) throw. A time rather than a count:
     * SCR retries a failed component each time a consumer asks for it, so a count is used up by
     * however many consumers there are before the supervisor looks.
     */
    private static final long FAIL_ACTIVATIONS_UNTIL_NANOS = System.nanoTime()
            + TimeUnit.MILLISECONDS.toNanos(Long.getLong("musicfs.fault.catalog.failActivationsForMillis", 0));

    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final Map<String, OriginWatch> watches = new ConcurrentHashMap<>();
    /** the poll of each origin that cannot push changes: a scheduled sync, or a supervised loop (closing stops either) */
    private final Map<String, AutoCloseable> polls = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> pendingChanges = new ConcurrentHashMap<>();
    private final Map<String, SyncState> syncStates = new ConcurrentHashMap<>();
    private final Map<Long, CatalogEntry> entries = new ConcurrentHashMap<>();

    /** configured origin ids, most preferred first: collisions are ordered by this even before the origins arrive */
    private List<String> configuredOrder = List.of();
    private CatalogDb db;
    private OriginSync sync;
    private TreeBuilder builder;
    private ExecutorService syncPool;
    private ScheduledExecutorService housekeeping;
    private volatile TreeSnapshot tree;
    private volatile boolean rebuildScheduled;
    private volatile boolean active;
    private volatile long pollIntervalSeconds;
    /** what activation opened; a change of these needs the component restarted */
    private Path databaseDir;
    private int tagThreads;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setEvents(EventAdmin events) {
        this.events = events;
    }

    void unsetEvents(EventAdmin gone) {
        if (events == gone) {
            events = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setSupervisor(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    void unsetSupervisor(Supervisor gone) {
        if (supervisor == gone) {
            supervisor = null;
        }
    }

    @Activate
    void activate(Config config) throws IOException {
        if (System.nanoTime() < FAIL_ACTIVATIONS_UNTIL_NANOS) {
            throw new IllegalStateException("fault point musicfs.fault.catalog.failActivationsForMillis");
        }
        String dir = config.databaseDir();
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("databaseDir: no catalog database folder configured");
        }
        configuredOrder = config.origins() == null ? List.of() : List.of(config.origins());
        if (config.pollIntervalSeconds() < 0) {
            throw new IllegalArgumentException("pollIntervalSeconds: " + config.pollIntervalSeconds() + " is negative");
        }
        pollIntervalSeconds = config.pollIntervalSeconds();
        builder = new TreeBuilder(new LibraryLayout(config.path_default(), config.path_compilation(), config.path_untagged()));
        databaseDir = Path.of(dir);
        tagThreads = config.tagThreads();
        long start = System.nanoTime();
        db = CatalogDb.open(databaseDir);
        try {
            purgeUnconfigured(config.origins());
            db.forEachEntry(entry -> entries.put(entry.fileId(), entry));
            tree = builder.build(entries.values(), this::priorityOf);
            LOG.info("catalog: {} tracks loaded from {} in {} ms", tree.trackCount(), databaseDir,
                    (System.nanoTime() - start) / 1_000_000);
            OriginSync.Options defaults = OriginSync.Options.defaults();
            sync = new OriginSync(db, new TagReader(databaseDir.resolveSibling("tag-reads")),
                    new OriginSync.Options(config.tagThreads(), defaults.batchSize(), defaults.localReadDeadline(),
                            defaults.remoteReadDeadline(), defaults.maxConsecutiveFailures(), defaults.probeDeadline()),
                    this::committed);
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
        syncPool = Executors.newFixedThreadPool(SYNC_THREADS, named("musicfs-sync-"));
        housekeeping = Executors.newSingleThreadScheduledExecutor(named("musicfs-catalog"));
        active = true;
        origins.values().forEach(this::startOrigin);
    }

    /** @return the origins whose tracks were removed */
    private Set<String> purgeUnconfigured(String[] configured) throws IOException {
        if (configured == null || configured.length == 0) {
            return Set.of();
        }
        Set<String> keep = Set.of(configured);
        Set<String> purged = new java.util.HashSet<>();
        for (String known : db.origins()) {
            if (!keep.contains(known)) {
                int removed = db.removeOrigin(known);
                purged.add(known);
                LOG.info("catalog: origin {} is no longer configured; removed its {} tracks", known, removed);
            }
        }
        return purged;
    }

    /**
     * A configuration change while running (a reload): the origin order and set, path patterns and
     * poll interval apply at once, without closing the database, so the mount keeps its catalog.
     * The database folder and tag threads were opened at activation: a change of those waits for a
     * restart, and says so.
     */
    @Modified
    void modified(Config config) throws IOException {
        if (config.pollIntervalSeconds() < 0) {
            throw new IllegalArgumentException("pollIntervalSeconds: " + config.pollIntervalSeconds() + " is negative");
        }
        TreeBuilder nextBuilder = new TreeBuilder(new LibraryLayout(config.path_default(), config.path_compilation(), config.path_untagged()));
        if (config.databaseDir() == null || !Path.of(config.databaseDir()).equals(databaseDir) || config.tagThreads() != tagThreads) {
            LOG.warn("catalog: databaseDir and tagThreads changes take effect after a restart; still {} with {} tag threads",
                    databaseDir, tagThreads);
        }
        configuredOrder = config.origins() == null ? List.of() : List.of(config.origins());
        Set<String> purged = purgeUnconfigured(config.origins());
        entries.values().removeIf(entry -> purged.contains(entry.originId()));
        purged.forEach(syncStates::remove);
        long previousPoll = pollIntervalSeconds;
        pollIntervalSeconds = config.pollIntervalSeconds();
        if (previousPoll != pollIntervalSeconds) {
            for (String id : new ArrayList<>(polls.keySet())) {
                AutoCloseable poll = polls.remove(id);
                if (poll != null) {
                    stopPoll(poll);
                }
                Origin origin = origins.get(id);
                if (origin != null) {
                    startPolling(origin);
                }
            }
        }
        submit(() -> housekeeping.execute(() -> {
            builder = nextBuilder;
            rebuild();
        }));
        LOG.info("catalog: configuration updated: origins {}, poll interval {} s", configuredOrder, pollIntervalSeconds);
    }

    @Deactivate
    void deactivate() {
        active = false;
        watches.values().forEach(OriginWatch::close);
        watches.clear();
        polls.values().forEach(LibraryCatalog::stopPoll);
        polls.clear();
        housekeeping.shutdownNow();
        sync.close();
        syncPool.shutdownNow();
        try {
            if (!syncPool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("catalog: a sync did not stop within 10 s; closing the database under it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addOrigin(Origin origin) {
        origins.put(origin.id(), origin);
        if (active) {
            startOrigin(origin);
        }
    }

    void removeOrigin(Origin origin) {
        if (!origins.remove(origin.id(), origin)) {
            return;
        }
        OriginWatch watch = watches.remove(origin.id());
        if (watch != null) {
            watch.close();
        }
        AutoCloseable poll = polls.remove(origin.id());
        if (poll != null) {
            stopPoll(poll);
        }
        LOG.info("catalog: origin {} went away; its tracks stay listed", origin.id());
    }

    /**
     * Watches a newly seen origin, then syncs it in the background. The watch starts first so that
     * nothing changed during the sync is missed: those changes are synced after it.
     */
    private void startOrigin(Origin origin) {
        submit(() -> syncPool.execute(() -> {
            startWatch(origin);
            fullSync(origin);
        }));
    }

    private void fullSync(Origin origin) {
        if (!isCurrent(origin)) {
            return;
        }
        SyncState before = syncStates.get(origin.id());
        long completed = before == null ? 0 : before.completedSyncs();
        syncStates.put(origin.id(), new SyncState(origin.id(), true, completed, 0, null));
        try {
            SyncSummary summary = sync.sync(origin);
            rebuildNow();
            syncStates.put(origin.id(), new SyncState(origin.id(), false, completed + 1, summary.listed(), null));
            LOG.info("origin {}: sync finished: {} tracks listed, {} added, {} changed, {} removed, {} unreadable, {} failed, "
                    + "{} KiB read for tags, in {} ms{}", origin.id(), summary.listed(), summary.added(), summary.changed(),
                    summary.removed(), summary.unreadable(), summary.failed(), summary.bytesFetched() / 1024,
                    summary.duration().toMillis(), summary.complete() ? "" : " (parts could not be listed: their tracks were kept)");
            post(TOPIC_SYNC_FINISHED, Map.of("origin", origin.id(), "added", summary.added(), "changed", summary.changed(),
                    "removed", summary.removed()));
        } catch (InterruptedIOException e) {
            syncStates.put(origin.id(), new SyncState(origin.id(), false, completed, 0, "interrupted"));
            LOG.info("origin {}: sync stopped; it resumes from its checkpoint next time", origin.id());
        } catch (IOException | RuntimeException e) {
            if (!active) {
                // The catalog stopped under the sync (its thread interrupted, the database closing): not a failure of the origin.
                syncStates.put(origin.id(), new SyncState(origin.id(), false, completed, 0, "interrupted"));
                LOG.info("origin {}: sync stopped by the catalog's stop ({}); it resumes from its checkpoint next time", origin.id(),
                        e.getMessage());
                return;
            }
            syncStates.put(origin.id(), new SyncState(origin.id(), false, completed, 0, e.getMessage()));
            LOG.error("origin {}: sync failed: {}; its tracks stay listed as they were", origin.id(), e.getMessage(),
                    e instanceof RuntimeException ? e : null);
        }
    }

    private void startWatch(Origin origin) {
        if (!isCurrent(origin) || watches.containsKey(origin.id()) || polls.containsKey(origin.id())) {
            return;
        }
        try {
            java.util.Optional<OriginWatch> pushed = origin.watch(change -> changed(origin, change));
            if (pushed.isEmpty()) {
                startPolling(origin);
            }
            pushed.ifPresent(watch -> {
                OriginWatch earlier = watches.put(origin.id(), watch);
                if (earlier != null) {
                    earlier.close();
                }
                if (!isCurrent(origin)) {
                    watches.remove(origin.id(), watch);
                    watch.close();
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("origin {}: cannot watch for changes ({}); polling it instead", origin.id(), e.getMessage());
            startPolling(origin);
        }
    }

    /** An origin that cannot push changes is synced again every poll interval (monotonic clock). */
    private void startPolling(Origin origin) {
        if (pollIntervalSeconds == 0 || !active) {
            return;
        }
        Supervisor sup = supervisor;
        if (sup != null) {
            polls.computeIfAbsent(origin.id(), id -> sup.supervise("poll of origin " + id, () -> pollLoop(origin)));
        } else {
            submit(() -> polls.computeIfAbsent(origin.id(), id -> {
                java.util.concurrent.ScheduledFuture<?> scheduled = housekeeping.scheduleWithFixedDelay(
                        () -> syncPool.execute(() -> fullSync(origin)), pollIntervalSeconds, pollIntervalSeconds, TimeUnit.SECONDS);
                return () -> scheduled.cancel(false);
            }));
        }
        LOG.info("origin {}: polled for changes every {} s{}", origin.id(), pollIntervalSeconds, sup != null ? " (supervised)" : "");
    }

    /** A supervised poll: a sync every interval on the sync pool, until interrupted; an unexpected failure ends it (and the supervisor restarts it). */
    private void pollLoop(Origin origin) throws InterruptedException, java.util.concurrent.ExecutionException {
        while (isCurrent(origin)) {
            TimeUnit.SECONDS.sleep(pollIntervalSeconds); // the poll interval itself (sleep runs on the monotonic clock)
            syncPool.submit(() -> fullSync(origin)).get();
        }
    }

    private static void stopPoll(AutoCloseable poll) {
        try {
            poll.close();
        } catch (Exception e) {
            LOG.debug("catalog: stopping a poll: {}", e.toString());
        }
    }

    /** A watcher's report: gathered for a moment, then synced as one batch of paths. */
    private void changed(Origin origin, OriginChange change) {
        if (change.kind() == OriginChange.Kind.OVERFLOW) {
            LOG.info("origin {}: watcher lost track of changes; syncing the whole origin", origin.id());
            submit(() -> syncPool.execute(() -> fullSync(origin)));
            return;
        }
        Set<String> pending = pendingChanges.computeIfAbsent(origin.id(), id -> ConcurrentHashMap.newKeySet());
        boolean first = pending.isEmpty();
        pending.add(change.path());
        if (first && active) {
            submit(() -> housekeeping.schedule(() -> syncPool.execute(() -> syncPending(origin)), WATCH_DEBOUNCE_MILLIS,
                    TimeUnit.MILLISECONDS));
        }
    }

    private void syncPending(Origin origin) {
        Set<String> pending = pendingChanges.remove(origin.id());
        if (pending == null || pending.isEmpty() || !isCurrent(origin)) {
            return;
        }
        try {
            DeltaSummary delta = sync.syncPaths(origin, new ArrayList<>(pending));
            rebuildNow();
            LOG.info("origin {}: {} changed paths synced: {} added, {} changed, {} removed", origin.id(), pending.size(),
                    delta.added(), delta.changed(), delta.removed());
            if (delta.walkAdvised()) {
                fullSync(origin);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("origin {}: syncing {} changed paths failed: {}; a full sync follows", origin.id(), pending.size(), e.getMessage());
            fullSync(origin);
        }
    }

    private boolean isCurrent(Origin origin) {
        return active && origins.get(origin.id()) == origin;
    }

    /** Called on a sync thread after each commit: the entries follow, the tree is rebuilt shortly. */
    private void committed(String originId, List<CatalogEntry> written, List<Long> removedFileIds) {
        for (CatalogEntry entry : written) {
            entries.put(entry.fileId(), entry);
        }
        for (Long fileId : removedFileIds) {
            entries.remove(fileId);
        }
        scheduleRebuild();
    }

    private void scheduleRebuild() {
        if (rebuildScheduled || !active) {
            return;
        }
        rebuildScheduled = true;
        submit(() -> housekeeping.schedule(this::rebuild, REBUILD_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    /**
     * Rebuilds the tree on the catalog thread and waits for it, so that what a sync reports as
     * finished is what the mount shows.
     */
    private void rebuildNow() throws InterruptedIOException {
        try {
            housekeeping.submit(this::rebuild).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while rebuilding the tree");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("catalog: tree rebuild not run: {}", e.toString());
        }
    }

    private void rebuild() {
        rebuildScheduled = false;
        try {
            long start = System.nanoTime();
            TreeSnapshot next = builder.build(new ArrayList<>(entries.values()), this::priorityOf);
            tree = next;
            LOG.debug("catalog: tree rebuilt with {} tracks in {} ms", next.trackCount(), (System.nanoTime() - start) / 1_000_000);
            post(TOPIC_TREE_CHANGED, Map.of("tracks", next.trackCount()));
        } catch (RuntimeException e) {
            LOG.error("catalog: rebuilding the tree failed; the mount keeps serving the previous tree", e);
        }
    }

    private int priorityOf(String originId) {
        int configured = configuredOrder.indexOf(originId);
        if (configured >= 0) {
            return configured;
        }
        Origin origin = origins.get(originId);
        return origin != null ? origin.priority() : Integer.MAX_VALUE;
    }

    private void post(String topic, Map<String, Object> properties) {
        EventAdmin admin = events;
        if (admin != null) {
            admin.postEvent(new Event(topic, properties));
        }
    }

    /** Hands work to the catalog's executors; after deactivation they refuse it, and that is fine. */
    private void submit(Runnable scheduling) {
        try {
            scheduling.run();
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            LOG.debug("catalog: stopping, background work not scheduled");
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY); // background work yields the CPU to reads (README: "CPU priorities")
            return t;
        };
    }

    // Library

    @Override
    public TreeSnapshot tree() {
        return tree;
    }

    @Override
    public SyncState syncState(String originId) {
        return syncStates.get(originId);
    }

    @Override
    public List<SyncState> syncStates() {
        List<SyncState> states = new ArrayList<>();
        List<String> ids = configuredOrder.isEmpty() ? origins.keySet().stream().sorted().toList() : configuredOrder;
        for (String id : ids) {
            SyncState state = syncStates.get(id);
            states.add(state != null ? state : new SyncState(id, false, 0, 0, origins.containsKey(id) ? null : "origin not available"));
        }
        return states;
    }

    @Override
    public boolean rescan(String originId) {
        Origin origin = origins.get(originId);
        if (origin == null || !active) {
            return false;
        }
        SyncState state = syncStates.get(originId);
        if (state == null || !state.running()) {
            LOG.info("origin {}: rescan requested", originId);
            submit(() -> syncPool.execute(() -> fullSync(origin)));
        }
        return true;
    }

    // ManifestStore: the manifests live in the catalog database

    @Override
    public Manifest load(TrackFile file, int chunkSize) throws IOException {
        return db.manifests().load(file, chunkSize);
    }

    @Override
    public void recordChunk(TrackFile file, int chunkSize, int index, long hash) throws IOException {
        db.manifests().recordChunk(file, chunkSize, index, hash);
    }

    @Override
    public void recordChunks(TrackFile file, int chunkSize, int[] indexes, long[] hashes) throws IOException {
        db.manifests().recordChunks(file, chunkSize, indexes, hashes);
    }
}
