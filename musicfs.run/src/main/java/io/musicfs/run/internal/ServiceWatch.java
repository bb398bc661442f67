package io.musicfs.run.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.api.supervision.TaskStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While the daemon serves: tells systemd how it is (STATUS= lines) and pings its watchdog only
 * while the FUSE loop answers a lookup through the kernel within a deadline, the tree can be read
 * and no critical task has failed (resilience.md 2.10 / 3.1). Also notices a mount that died for
 * good (remounts used up) and asks for a clean shutdown.
 *
 * <p>Runs as one supervised task loop; the lookup runs on its own "musicfs-watchdog-probe" thread so
 * that a stuck FUSE loop blocks that thread, not this one. Intervals use the monotonic clock.
 */
final class ServiceWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceWatch.class);
    /** how often the status line is refreshed when there is no watchdog */
    private static final long STATUS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** the longest a lookup through the mount may take for the FUSE loop to count as answering */
    private static final long PROBE_DEADLINE_MILLIS = 2_000;

    private final Mount mount;
    private final Supplier<Library> library;
    private final Supplier<HealthMonitor> health;
    private final Supplier<Supervisor> supervisor;
    private final SystemdNotifier notifier;
    private final long watchdogNanos;
    private final Consumer<String> shutdown;
    private final ExecutorService probes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "musicfs-watchdog-probe");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong probeCount = new AtomicLong();
    private Future<?> stuckProbe;
    private String lastStatus;
    private String lastProblem;

    ServiceWatch(Mount mount, Supplier<Library> library, Supplier<HealthMonitor> health, Supplier<Supervisor> supervisor,
            SystemdNotifier notifier, long watchdogMicros, Consumer<String> shutdown) {
        this.mount = mount;
        this.library = library;
        this.health = health;
        this.supervisor = supervisor;
        this.notifier = notifier;
        this.watchdogNanos = TimeUnit.MICROSECONDS.toNanos(watchdogMicros);
        this.shutdown = shutdown;
    }

    /** The loop; runs until interrupted. */
    void run() throws InterruptedException {
        long interval = watchdogNanos > 0 ? watchdogNanos / 2 : STATUS_INTERVAL_NANOS;
        if (watchdogNanos > 0) {
            LOG.info("systemd watchdog: pinging every {} ms while the mount answers", TimeUnit.NANOSECONDS.toMillis(interval));
        }
        try {
            while (true) {
                long next = System.nanoTime() + interval;
                if (mount.state() == Mount.State.FAILED) {
                    shutdown.accept("the mount failed: " + mount.failure());
                    new java.util.concurrent.CountDownLatch(1).await(); // the shutdown stops this task; returning would count as a failure
                }
                String problem = watchdogNanos > 0 ? problem() : null;
                String status = status(problem);
                StringBuilder message = new StringBuilder();
                if (problem == null && watchdogNanos > 0) {
                    message.append("WATCHDOG=1\n");
                }
                if (!status.equals(lastStatus)) {
                    message.append("STATUS=").append(status).append('\n');
                    lastStatus = status;
                }
                if (message.length() > 0) {
                    notifier.send(message.toString());
                }
                reportProblem(problem);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime())); // the interval itself, on the monotonic clock
            }
        } finally {
            probes.shutdownNow();
        }
    }

    /** @return why the daemon is not well enough for a watchdog ping, or {@code null} when it is */
    String problem() throws InterruptedException {
        String fuse = probeFuse();
        if (fuse != null) {
            return fuse;
        }
        Library current = library.get();
        if (current == null || current.tree() == null) {
            return "the catalog's tree cannot be read";
        }
        Supervisor sup = supervisor.get();
        if (sup != null) {
            List<String> failed = sup.tasks().stream()
                    .filter(t -> t.kind() == TaskStatus.Kind.TASK && t.state() == TaskStatus.State.FAILED).map(TaskStatus::name).toList();
            if (!failed.isEmpty()) {
                return "critical tasks failed: " + String.join(", ", failed);
            }
        }
        return null;
    }

    /** A lookup of a name that does not exist: the kernel cannot answer it from its cache, so the FUSE loop must. */
    private String probeFuse() throws InterruptedException {
        if (mount.state() != Mount.State.MOUNTED) {
            return "the mount is " + mount.state();
        }
        if (stuckProbe != null && !stuckProbe.isDone()) {
            return "the FUSE loop has not answered a lookup for more than " + PROBE_DEADLINE_MILLIS + " ms";
        }
        Path probe = mount.mountPoint().resolve(".musicfs-watchdog-" + probeCount.incrementAndGet());
        Future<?> lookup = probes.submit(() -> Files.exists(probe));
        try {
            lookup.get(PROBE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            stuckProbe = null;
            return null;
        } catch (TimeoutException e) {
            stuckProbe = lookup;
            return "the FUSE loop did not answer a lookup within " + PROBE_DEADLINE_MILLIS + " ms";
        } catch (java.util.concurrent.ExecutionException e) {
            return "a lookup through the mount failed: " + e.getCause();
        }
    }

    /** The STATUS= line: tracks served, origins healthy, state, failures. */
    String status(String problem) {
        StringBuilder status = new StringBuilder();
        Library current = library.get();
        status.append("serving ").append(current == null || current.tree() == null ? "?" : current.tree().trackCount()).append(" tracks");
        HealthMonitor monitor = health.get();
        if (monitor != null) {
            List<OriginHealth> origins = monitor.origins();
            long healthy = origins.stream().filter(o -> o.state() == OriginHealth.State.HEALTHY).count();
            status.append("; origins healthy ").append(healthy).append('/').append(origins.size());
            status.append("; state ").append(monitor.state());
        } else if (current != null) {
            status.append("; origins ").append(current.syncStates().size());
        }
        Supervisor sup = supervisor.get();
        if (sup != null) {
            List<String> failed = sup.tasks().stream().filter(t -> t.state() == TaskStatus.State.FAILED)
                    .map(t -> t.kind().name().toLowerCase() + " " + t.name()).toList();
            if (!failed.isEmpty()) {
                status.append("; FAILED: ").append(String.join(", ", failed));
            }
        }
        if (problem != null) {
            status.append("; watchdog held: ").append(problem);
        }
        return status.toString();
    }

    private void reportProblem(String problem) {
        if (problem != null && !problem.equals(lastProblem)) {
            LOG.error("systemd watchdog not pinged: {}", problem);
        } else if (problem == null && lastProblem != null) {
            LOG.info("systemd watchdog pinged again: the mount answers");
        }
        lastProblem = problem;
    }

    static Duration probeDeadline() {
        return Duration.ofMillis(PROBE_DEADLINE_MILLIS);
    }
}
