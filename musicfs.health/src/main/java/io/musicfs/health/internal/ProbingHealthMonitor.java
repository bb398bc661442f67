package io.musicfs.health.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.health.ServiceState;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.health.internal.OriginProbes.Probe;
import io.musicfs.health.internal.OriginProbes.Transition;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 * Probes every {@link Origin} service in parallel, each probe with a deadline, on an interval, and
 * judges each origin and the whole service from the probes, the mount, the library's sync and the
 * cache. Verdict changes are logged once each and sent on Event Admin; an origin that comes back
 * from unhealthy is rescanned.
 *
 * <p>Threads: one probe loop (a {@link Supervisor} task when a supervisor is there, else its own
 * thread) that starts due probes and refreshes the service state at least every second; probes run
 * on their own threads, so one hung origin never delays the verdict on another; a deadline timer
 * judges probes that did not answer in time. Per-origin state lives in {@link OriginProbes}, each
 * guarded by itself; the maps here are concurrent.
 */
// configuration required: the launcher writes it for a mount, so a CLI run of the same runtime probes nothing
@Component(configurationPid = ProbingHealthMonitor.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = HealthMonitor.class,
        immediate = true)
@Designate(ocd = ProbingHealthMonitor.Config.class)
public class ProbingHealthMonitor implements HealthMonitor {

    static final String PID = "musicfs.health";
    private static final Logger LOG = LoggerFactory.getLogger(ProbingHealthMonitor.class);
    /** the longest the service state may lag behind the mount, the sync and the cache */
    private static final long STATE_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** the pause before a failed probe loop runs again, when no supervisor restarts it */
    private static final long LOOP_RESTART_MILLIS = 5_000;

    @ObjectClassDefinition(name = "MusicFS health monitor", description = "Probes of the origins and the verdicts drawn from them")
    public @interface Config {
        @AttributeDefinition(name = "Probe interval", description = "Milliseconds between two probes of one origin")
        long probeIntervalMillis() default 10_000;

        @AttributeDefinition(name = "Probe deadline", description = "Milliseconds a probe may take before it counts as failed")
        long probeTimeoutMillis() default 5_000;

        @AttributeDefinition(name = "DNS retry", description = "Milliseconds until an origin whose name did not resolve is probed again")
        long dnsRetryMillis() default 5_000;

        @AttributeDefinition(name = "Local threshold", description = "Failed probes in a row after which a local origin is unhealthy")
        int localFailureThreshold() default 1;

        @AttributeDefinition(name = "Remote threshold", description = "Failed probes in a row after which a remote origin is unhealthy")
        int remoteFailureThreshold() default 3;
    }

    private final Map<String, OriginProbes> records = new ConcurrentHashMap<>();
    private final AtomicReference<ServiceState> published = new AtomicReference<>();
    private final Object wake = new Object();
    /** held while a verdict is taken and logged, and while the service state is refreshed, so the log reads in order */
    private final Object verdicts = new Object();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile EventAdmin events;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Mount mount;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Library library;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile CacheAdmin cache;
    /** static: the probe loop moves onto the supervisor by reactivation, which happens once at start */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    Supervisor supervisor;

    private long interval;
    private long timeout;
    private long dnsRetry;
    private int localThreshold;
    private int remoteThreshold;

    private ExecutorService probeThreads;
    private ScheduledExecutorService deadlines;
    private AutoCloseable loop;

    @Activate
    void activate(Config config) {
        open(config);
        Supervisor tasks = supervisor;
        if (tasks != null) {
            loop = tasks.supervise("health probes of the origins", this::runLoop);
        } else {
            Thread thread = daemonThreads("musicfs-health-loop").newThread(this::runLoopUntilStopped);
            thread.start();
            loop = thread::interrupt;
        }
        LOG.info("health monitor: probing origins every {} s with a {} s deadline{}", interval / 1e9, timeout / 1e9,
                tasks != null ? " (supervised)" : "");
    }

    /** Takes the configuration and starts the probe and deadline threads, but not the loop. */
    void open(Config config) {
        configure(config);
        probeThreads = Executors.newCachedThreadPool(daemonThreads("musicfs-health-probe"));
        deadlines = Executors.newSingleThreadScheduledExecutor(daemonThreads("musicfs-health-deadline"));
    }

    void configure(Config config) {
        interval = positiveMillis("probeIntervalMillis", config.probeIntervalMillis());
        timeout = positiveMillis("probeTimeoutMillis", config.probeTimeoutMillis());
        dnsRetry = positiveMillis("dnsRetryMillis", config.dnsRetryMillis());
        localThreshold = atLeastOne("localFailureThreshold", config.localFailureThreshold());
        remoteThreshold = atLeastOne("remoteFailureThreshold", config.remoteFailureThreshold());
    }

    private static long positiveMillis(String name, long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException(name + ": must be more than 0 milliseconds, got " + millis);
        }
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static int atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": must be 1 or more, got " + value);
        }
        return value;
    }

    /** set first thing at deactivation; read by the unbind methods SCR calls afterwards */
    private volatile boolean stopping;

    @Deactivate
    void deactivate() {
        stopping = true;
        try {
            if (loop != null) {
                loop.close();
            }
        } catch (Exception e) {
            LOG.warn("health monitor: stopping the probe loop failed: {}", e.toString());
        }
        deadlines.shutdownNow();
        probeThreads.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addOrigin(Origin origin) {
        OriginProbes record = records.computeIfAbsent(origin.id(), OriginProbes::new);
        judge(() -> record.attach(origin, System.nanoTime()));
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    void removeOrigin(Origin origin) {
        OriginProbes record = records.get(origin.id());
        if (record != null && !stopping) { // SCR unbinds every origin as the monitor itself stops: not a verdict
            judge(() -> record.detach(origin));
        }
    }

    /** Without a supervisor: runs the loop, restarting it 5 s after it failed, until interrupted. */
    private void runLoopUntilStopped() {
        while (true) {
            try {
                runLoop();
                return;
            } catch (InterruptedException stopped) {
                return;
            } catch (RuntimeException e) {
                LOG.error("health monitor: the probe loop failed, restarting it in 5 s; verdicts are stale until then", e);
                try {
                    Thread.sleep(LOOP_RESTART_MILLIS);
                } catch (InterruptedException stopped) {
                    return;
                }
            }
        }
    }

    /** Starts due probes and refreshes the service state until interrupted. */
    void runLoop() throws InterruptedException {
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            long now = System.nanoTime();
            probeDue(now);
            refreshState();
            long next = now + STATE_REFRESH_NANOS;
            for (OriginProbes record : records.values()) {
                long due = record.nextProbeAt();
                if (due - next < 0) {
                    next = due;
                }
            }
            long waitNanos = next - System.nanoTime();
            if (waitNanos > 0) {
                synchronized (wake) {
                    TimeUnit.NANOSECONDS.timedWait(wake, waitNanos);
                }
            }
        }
    }

    /**
     * Starts every probe that is due, each on its own thread with its own deadline. Once the
     * monitor stops (its threads are shut down while the loop may still be in here) it starts none.
     *
     * @return the probes started, so tests can wait for their verdicts
     */
    List<Future<?>> probeDue(long now) {
        List<Future<?>> started = new ArrayList<>();
        for (OriginProbes record : records.values()) {
            if (stopping) {
                return started;
            }
            Probe probe = record.startIfDue(now, interval);
            if (probe == null) {
                continue;
            }
            if (probe.hung()) {
                judge(() -> record.failed(probe, null, "the previous probe has hung for over " + seconds(timeout), now, dnsRetry,
                        localThreshold, remoteThreshold));
                continue;
            }
            Future<?> running;
            try {
                running = probeThreads.submit(() -> runProbe(record, probe));
                deadlines.schedule(() -> {
                    judge(() -> record.failed(probe, null, "probe did not answer within " + seconds(timeout), System.nanoTime(),
                            dnsRetry, localThreshold, remoteThreshold));
                    running.cancel(true);
                }, timeout, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                if (stopping) {
                    return started; // deactivated between the check above and here: the threads are gone
                }
                throw e;
            }
            started.add(running);
        }
        return started;
    }

    private void runProbe(OriginProbes record, Probe probe) {
        long start = System.nanoTime();
        try {
            probe.origin().probe();
            long end = System.nanoTime();
            judge(() -> record.passed(probe, end - start, end));
        } catch (Exception | LinkageError e) {
            judge(() -> record.failed(probe, e, describe(e), System.nanoTime(), dnsRetry, localThreshold, remoteThreshold));
        } finally {
            record.finished(probe);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return "probe failed: " + (message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return (s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s)) + " s";
    }

    /** Takes a verdict and acts on its change, if any. */
    private void judge(Supplier<Transition> verdict) {
        synchronized (verdicts) {
            apply(verdict.get());
        }
    }

    private void apply(Transition change) {
        if (change == null) {
            return;
        }
        String reason = change.reason();
        if (change.next() == OriginHealth.State.UNKNOWN) {
            LOG.info("origin {}: {} -> {}: its service is back, probing it", change.originId(), change.previous(), change.next());
        } else if (change.next() == OriginHealth.State.HEALTHY) {
            LOG.info("origin {}: {} -> {}", change.originId(), change.previous(), change.next());
        } else {
            LOG.warn("origin {}: {} -> {}: {}", change.originId(), change.previous(), change.next(), reason);
        }
        Map<String, Object> props = new HashMap<>();
        props.put("origin", change.originId());
        props.put("health", change.next().name());
        props.put("previous", change.previous().name());
        if (reason != null) {
            props.put("reason", reason);
        }
        post(TOPIC_ORIGIN_HEALTH, props);
        if (change.previous() == OriginHealth.State.UNHEALTHY && change.next() == OriginHealth.State.HEALTHY) {
            Library catalog = library;
            if (catalog != null && catalog.rescan(change.originId())) {
                LOG.info("origin {}: back, rescanning it for what changed while it was away", change.originId());
            }
        }
        refreshState();
    }

    private void post(String topic, Map<String, Object> props) {
        EventAdmin admin = events;
        if (admin != null) {
            admin.postEvent(new Event(topic, props));
        }
    }

    /** Publishes the service state when it changed since the last call. */
    void refreshState() {
        synchronized (verdicts) {
            publishState();
        }
    }

    private void publishState() {
        ServiceState now = state();
        ServiceState before = published.getAndSet(now);
        if (before == now) {
            return;
        }
        if (before != null) {
            if (now == ServiceState.OFFLINE) {
                LOG.error("service: {} -> OFFLINE: no origin answers; cached music is still served, uncached reads fail at once",
                        before);
            } else {
                LOG.info("service: {} -> {}", before, now);
            }
        }
        Map<String, Object> props = new HashMap<>();
        props.put("state", now.name());
        if (before != null) {
            props.put("previous", before.name());
        }
        post(TOPIC_SERVICE_STATE, props);
    }

    @Override
    public List<OriginHealth> origins() {
        Set<String> configured = configuredOrigins();
        List<OriginHealth> all = new ArrayList<>(records.size());
        for (OriginProbes record : records.values()) {
            OriginHealth health = record.health();
            if (record.origin() != null || configured == null || configured.contains(health.originId())) {
                all.add(health);
            }
        }
        all.sort(Comparator.comparingInt(OriginHealth::priority).thenComparing(OriginHealth::originId));
        return all;
    }

    /** @return the ids the library says are configured, or {@code null} when there is no library to ask */
    private Set<String> configuredOrigins() {
        Library catalog = library;
        if (catalog == null) {
            return null;
        }
        Set<String> ids = new HashSet<>();
        for (SyncState sync : catalog.syncStates()) {
            ids.add(sync.originId());
        }
        return ids;
    }

    @Override
    public OriginHealth origin(String originId) {
        // on the read path (the router asks for every uncached chunk): one map lookup
        OriginProbes record = records.get(originId);
        if (record == null) {
            return null;
        }
        if (record.origin() == null) {
            Set<String> configured = configuredOrigins();
            if (configured != null && !configured.contains(originId)) {
                return null;
            }
        }
        return record.health();
    }

    /** Probes the origin at once (unless a probe of it runs), because a real call to it failed. */
    void probeSoon(String originId) {
        OriginProbes record = records.get(originId);
        if (record != null && record.dueNow(System.nanoTime())) {
            synchronized (wake) {
                wake.notifyAll();
            }
        }
    }

    /** @return System.nanoTime() of the origin's last passed probe, or 0 */
    long lastPass(String originId) {
        OriginProbes record = records.get(originId);
        return record == null ? 0 : record.lastPass();
    }

    @Override
    public ServiceState state() {
        Mount fuse = mount;
        if (fuse == null) {
            return ServiceState.MOUNTING;
        }
        switch (fuse.state()) {
            case MOUNTING:
                return ServiceState.MOUNTING;
            case UNMOUNTED:
                return ServiceState.UNMOUNTING;
            case FAILED:
                // nothing is served at all
                return ServiceState.OFFLINE;
            default:
                break;
        }
        List<OriginHealth> origins = origins();
        if (!origins.isEmpty() && origins.stream().allMatch(o -> o.state() == OriginHealth.State.UNHEALTHY)) {
            return ServiceState.OFFLINE;
        }
        CacheAdmin chunks = cache;
        CacheStatus status = chunks == null ? null : chunks.status();
        if (origins.stream().anyMatch(o -> o.state() == OriginHealth.State.DEGRADED || o.state() == OriginHealth.State.UNHEALTHY)
                || status != null && status.state() == CacheStatus.State.PASSTHROUGH) {
            return ServiceState.DEGRADED;
        }
        Library catalog = library;
        if (catalog != null && catalog.syncStates().stream().anyMatch(SyncState::running)) {
            return ServiceState.SYNCING;
        }
        return ServiceState.READY;
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
