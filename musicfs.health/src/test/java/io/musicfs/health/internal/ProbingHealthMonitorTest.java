package io.musicfs.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.health.OriginHealth.State;
import io.musicfs.api.health.ServiceState;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.supervision.SupervisedTask;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.api.supervision.TaskStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** The monitor's state machine, driven round by round against real local origins with injected faults. */
class ProbingHealthMonitorTest {

    static final long INTERVAL_MILLIS = 10_000;
    static final long DEADLINE_MILLIS = 1_000;

    @TempDir
    Path dir;

    final ProbingHealthMonitor monitor = new ProbingHealthMonitor();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> rescans = new CopyOnWriteArrayList<>();
    final List<FaultInjectingOrigin> origins = new ArrayList<>();
    volatile Mount.State mountState = Mount.State.MOUNTED;
    volatile List<SyncState> syncs = List.of();
    /** the "now" handed to the probe rounds: one interval further each round */
    long now = System.nanoTime();

    ProbingHealthMonitorTest() {
        monitor.events = new EventAdmin() {
            public void postEvent(Event event) { events.add(event); }
            public void sendEvent(Event event) { events.add(event); }
        };
        monitor.mount = mount();
        monitor.open(config(Map.of("probeTimeoutMillis", DEADLINE_MILLIS)));
    }

    @AfterEach
    void close() {
        origins.forEach(o -> o.mode(FaultInjectingOrigin.Mode.PASS));
        monitor.deactivate();
    }

    FaultInjectingOrigin origin(String id, boolean remote, int priority) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(id));
        FaultInjectingOrigin origin = new FaultInjectingOrigin(FaultInjectingOrigin.local(id, folder), remote, priority);
        origins.add(origin);
        monitor.addOrigin(origin);
        return origin;
    }

    /** Runs one probe round and waits for the verdicts of the probes that answer. */
    void round() throws Exception {
        now += TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
        for (Future<?> probe : monitor.probeDue(now)) {
            probe.get(10, TimeUnit.SECONDS);
        }
    }

    State state(String id) {
        return monitor.origin(id).state();
    }

    @Test
    void aLocalOriginIsUnhealthyAfterOneFailedProbeAndTakenBackWhenItsFolderReturns() throws Exception {
        Path folder = dir.resolve("disk");
        origin("disk", false, 1);
        monitor.library = library();
        syncs = List.of(new SyncState("disk", false, 1, 3, null));
        round();
        assertEquals(State.HEALTHY, state("disk"));
        assertNotNull(monitor.origin("disk").latency());

        Files.delete(folder);
        round();
        OriginHealth gone = monitor.origin("disk");
        assertEquals(State.UNHEALTHY, gone.state());
        assertTrue(gone.reason().contains("music folder is missing"), gone.reason());
        assertEquals(1, gone.consecutiveFailures());
        assertEquals(ServiceState.OFFLINE, monitor.state());

        Files.createDirectories(folder);
        round();
        assertEquals(State.HEALTHY, state("disk"));
        assertEquals(List.of("disk"), rescans, "an origin back from unhealthy is rescanned");
        assertEquals(ServiceState.READY, monitor.state());
    }

    @Test
    void aRemoteOriginIsDegradedForTwoFailedProbesAndUnhealthyAtTheThird() throws Exception {
        FaultInjectingOrigin nas = origin("nas", true, 1);
        round();
        nas.mode(FaultInjectingOrigin.Mode.FAIL);
        round();
        assertEquals(State.DEGRADED, state("nas"));
        assertEquals(ServiceState.DEGRADED, monitor.state());
        round();
        assertEquals(State.DEGRADED, state("nas"));
        round();
        assertEquals(State.UNHEALTHY, state("nas"));
        assertTrue(monitor.origin("nas").reason().contains("injected failure"), monitor.origin("nas").reason());
        nas.mode(FaultInjectingOrigin.Mode.PASS);
        round();
        assertEquals(State.HEALTHY, state("nas"));
        assertEquals(0, monitor.origin("nas").consecutiveFailures());
    }

    @Test
    void aHungOriginIsUnhealthyAtItsDeadlineWithoutDelayingTheOthers() throws Exception {
        FaultInjectingOrigin dead = origin("dead", false, 1);
        origin("alive", false, 2);
        dead.mode(FaultInjectingOrigin.Mode.HANG);
        long start = System.nanoTime();
        now += TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
        monitor.probeDue(now);
        await(() -> state("alive") == State.HEALTHY, Duration.ofSeconds(5));
        long aliveJudged = System.nanoTime() - start;
        assertTrue(aliveJudged < TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS),
                "the healthy origin was judged after " + aliveJudged / 1_000_000 + " ms, not before the hung one's deadline");
        assertEquals(State.UNKNOWN, state("dead"));

        await(() -> state("dead") == State.UNHEALTHY, Duration.ofSeconds(5));
        long deadJudged = System.nanoTime() - start;
        assertTrue(deadJudged >= TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS) && deadJudged < TimeUnit.SECONDS.toNanos(3),
                "judged after " + deadJudged / 1_000_000 + " ms");
        assertTrue(monitor.origin("dead").reason().contains("did not answer within 1 s"), monitor.origin("dead").reason());

        // the probe still hangs at the next round: judged again without a second thread piling up
        round();
        assertEquals(1, dead.probes.get());
        assertEquals(2, monitor.origin("dead").consecutiveFailures());
        assertTrue(monitor.origin("dead").reason().contains("hung"), monitor.origin("dead").reason());

        dead.mode(FaultInjectingOrigin.Mode.PASS);
        await(() -> {
            try {
                round();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return state("dead") == State.HEALTHY;
        }, Duration.ofSeconds(5));
        assertEquals(State.HEALTHY, state("alive"));
    }

    @Test
    void aDnsFailureDegradesAndIsProbedAgainSoonButNeverDeclaredDead() throws Exception {
        FaultInjectingOrigin nas = origin("nas", true, 1);
        nas.mode(FaultInjectingOrigin.Mode.DNS);
        for (int i = 0; i < 5; i++) {
            round();
            assertEquals(State.DEGRADED, state("nas"));
        }
        assertTrue(monitor.origin("nas").reason().startsWith("name resolution failed"), monitor.origin("nas").reason());
        // due again after the DNS retry (5 s), well before the probe interval (10 s)
        int before = nas.probes.get();
        List<Future<?>> early = monitor.probeDue(now + TimeUnit.SECONDS.toNanos(5));
        for (Future<?> probe : early) {
            probe.get(5, TimeUnit.SECONDS);
        }
        assertEquals(before + 1, nas.probes.get());
    }

    @Test
    void anOriginWhoseServiceIsGoneIsUnhealthyAndListedWhileConfigured() throws Exception {
        FaultInjectingOrigin nas = origin("nas", false, 1);
        origin("disk", false, 2);
        round();
        monitor.removeOrigin(nas);
        OriginHealth gone = monitor.origin("nas");
        assertEquals(State.UNHEALTHY, gone.state());
        assertEquals("service gone", gone.reason());
        assertNull(gone.type());
        assertEquals(ServiceState.DEGRADED, monitor.state());

        OriginRoutes routes = new OriginRoutes();
        routes.monitor = monitor;
        routes.addOrigin(nas);
        monitor.addOrigin(nas);
        assertEquals(State.UNKNOWN, state("nas"), "its service is back: no verdict until probed");
        assertEquals(List.of(nas), routes.route(new TrackFile(1, "nas", "x.flac", 10, 0, null)), "and routed to at once");
        round();
        assertEquals(State.HEALTHY, state("nas"));
        monitor.removeOrigin(nas);

        monitor.library = library();
        syncs = List.of(new SyncState("nas", false, 1, 0, "origin not available"), new SyncState("disk", false, 1, 0, null));
        assertEquals(List.of("nas", "disk"), monitor.origins().stream().map(OriginHealth::originId).toList());
        syncs = List.of(new SyncState("disk", false, 1, 0, null));
        assertEquals(List.of("disk"), monitor.origins().stream().map(OriginHealth::originId).toList(), "removed from the config");
        assertNull(monitor.origin("nas"));
    }

    @Test
    void originsUnboundWhileTheMonitorStopsAreNoVerdict() throws Exception {
        FaultInjectingOrigin nas = origin("nas", false, 1);
        round();
        events.clear();
        monitor.deactivate();
        monitor.removeOrigin(nas); // what SCR does after deactivating the monitor
        assertEquals(State.HEALTHY, state("nas"));
        assertEquals(List.of(), events.stream().filter(e -> e.getTopic().equals(HealthMonitor.TOPIC_ORIGIN_HEALTH)).toList(),
                "no 'service gone' at shutdown");
    }

    @Test
    void aProbeRoundThatOutlivesTheMonitorStartsNothingAndDoesNotFail() throws Exception {
        origin("nas", false, 1);
        monitor.deactivate(); // its probe and deadline threads are shut down while the loop may still run
        now += TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
        assertEquals(List.of(), monitor.probeDue(now));
        monitor.runLoop(); // returns at once instead of probing on with no threads
    }

    @Test
    void changesAreSentOnEventAdminOncePerChange() throws Exception {
        FaultInjectingOrigin nas = origin("nas", false, 1);
        round();
        nas.mode(FaultInjectingOrigin.Mode.FAIL);
        round();
        round();
        List<Event> health = events.stream().filter(e -> e.getTopic().equals(HealthMonitor.TOPIC_ORIGIN_HEALTH)).toList();
        assertEquals(List.of("UNKNOWN>HEALTHY", "HEALTHY>UNHEALTHY"),
                health.stream().map(e -> e.getProperty("previous") + ">" + e.getProperty("health")).toList());
        assertEquals("nas", health.get(1).getProperty("origin"));
        assertTrue(((String) health.get(1).getProperty("reason")).contains("injected failure"));
        List<String> states = events.stream().filter(e -> e.getTopic().equals(HealthMonitor.TOPIC_SERVICE_STATE))
                .map(e -> (String) e.getProperty("state")).toList();
        assertEquals("OFFLINE", states.get(states.size() - 1));
        assertTrue(states.contains("READY"), states.toString());
    }

    @Test
    void serviceStateFollowsMountSyncAndOrigins() throws Exception {
        monitor.library = library();
        mountState = Mount.State.MOUNTING;
        assertEquals(ServiceState.MOUNTING, monitor.state());
        mountState = Mount.State.MOUNTED;
        FaultInjectingOrigin nas = origin("nas", true, 1);
        origin("disk", false, 2);
        round();
        syncs = List.of(new SyncState("nas", true, 0, 10, null), new SyncState("disk", false, 1, 3, null));
        assertEquals(ServiceState.SYNCING, monitor.state());
        syncs = List.of(new SyncState("nas", false, 1, 10, null), new SyncState("disk", false, 1, 3, null));
        assertEquals(ServiceState.READY, monitor.state());
        nas.mode(FaultInjectingOrigin.Mode.FAIL);
        round();
        assertEquals(ServiceState.DEGRADED, monitor.state());
        mountState = Mount.State.UNMOUNTED;
        assertEquals(ServiceState.UNMOUNTING, monitor.state());
    }

    @Test
    void theRouterSkipsUnhealthyOriginsAndPrefersPriorityThenLatency() throws Exception {
        OriginRoutes routes = new OriginRoutes();
        routes.monitor = monitor;
        FaultInjectingOrigin a = origin("a", false, 2);
        FaultInjectingOrigin b = origin("b", false, 1);
        FaultInjectingOrigin c = origin("c", false, 2);
        List.of(a, b, c).forEach(routes::addOrigin);
        round();
        routes.report("a", true, 5_000_000);
        routes.report("c", true, 1_000_000);
        assertEquals(List.of(b, c, a), routes.ordered(List.of(a, b, c)));

        b.mode(FaultInjectingOrigin.Mode.FAIL);
        round();
        assertEquals(List.of(c, a), routes.ordered(List.of(a, b, c)));
        TrackFile onB = new TrackFile(1, "b", "x.flac", 10, 0, null);
        assertEquals(List.of(), routes.route(onB), "an unhealthy origin is not routed to");

        b.mode(FaultInjectingOrigin.Mode.PASS);
        round();
        assertEquals(List.of(b), routes.route(onB), "taken back after it passed a probe");
    }

    @Test
    void anOriginTrippedByFailedReadsIsTakenBackWhenItPassesAProbe() throws Exception {
        OriginRoutes routes = new OriginRoutes();
        routes.monitor = monitor;
        FaultInjectingOrigin a = origin("a", false, 1);
        FaultInjectingOrigin b = origin("b", false, 2);
        round();
        for (int i = 0; i < OriginRoutes.TRIP_AFTER; i++) {
            routes.report("a", false, 1_000);
        }
        assertEquals(List.of(b, a), routes.ordered(List.of(a, b)), "tripped: tried last");
        round();
        assertEquals(List.of(a, b), routes.ordered(List.of(a, b)), "passed a probe since: first again");
    }

    @Test
    void theProbeLoopRunsAsASupervisedTaskWhenASupervisorIsThere() throws Exception {
        List<String> supervised = new CopyOnWriteArrayList<>();
        ProbingHealthMonitor supervisedMonitor = new ProbingHealthMonitor();
        supervisedMonitor.supervisor = new Supervisor() {
            public AutoCloseable supervise(String name, SupervisedTask task) {
                supervised.add(name);
                Thread thread = new Thread(() -> {
                    try {
                        task.run();
                    } catch (Exception stopped) {
                        // interrupted by close
                    }
                });
                thread.start();
                return thread::interrupt;
            }

            public List<TaskStatus> tasks() {
                return List.of();
            }
        };
        FaultInjectingOrigin disk = new FaultInjectingOrigin(FaultInjectingOrigin.local("disk", Files.createDirectories(dir.resolve("disk"))),
                false, 1);
        supervisedMonitor.addOrigin(disk);
        supervisedMonitor.activate(config(Map.of()));
        try {
            assertEquals(List.of("health probes of the origins"), supervised);
            await(() -> supervisedMonitor.origin("disk").state() == State.HEALTHY, Duration.ofSeconds(5));
        } finally {
            supervisedMonitor.deactivate();
        }
    }

    @Test
    void aFailedReadHasTheOriginProbedAtOnceNotAtItsNextRound() throws Exception {
        ProbingHealthMonitor running = new ProbingHealthMonitor();
        OriginRoutes routes = new OriginRoutes();
        routes.monitor = running;
        FaultInjectingOrigin disk = new FaultInjectingOrigin(FaultInjectingOrigin.local("disk", Files.createDirectories(dir.resolve("disk"))),
                false, 1);
        running.addOrigin(disk);
        running.activate(config(Map.of()));   // probes every 10 s
        try {
            await(() -> running.origin("disk").state() == State.HEALTHY, Duration.ofSeconds(5));
            disk.mode(FaultInjectingOrigin.Mode.FAIL);
            long start = System.nanoTime();
            await(() -> {
                routes.report("disk", false, 1_000);   // reads keep failing
                return running.origin("disk").state() == State.UNHEALTHY;
            }, Duration.ofSeconds(5));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertEquals(2, disk.probes.get(), "one early probe for a burst of failed reads");
        } finally {
            running.deactivate();
        }
    }

    @Test
    void badConfigurationNamesTheProperty() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ProbingHealthMonitor().configure(config(Map.of("probeTimeoutMillis", 0L))));
        assertTrue(e.getMessage().startsWith("probeTimeoutMillis"), e.getMessage());
    }

    static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertFalse(System.nanoTime() - end > 0, "condition not met within " + timeout);
            Thread.sleep(5);
        }
    }

    static ProbingHealthMonitor.Config config(Map<String, Object> overrides) {
        return (ProbingHealthMonitor.Config) Proxy.newProxyInstance(ProbingHealthMonitor.Config.class.getClassLoader(),
                new Class<?>[] { ProbingHealthMonitor.Config.class },
                (proxy, method, args) -> overrides.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    Mount mount() {
        return new Mount() {
            public Path mountPoint() { return dir.resolve("mnt"); }
            public State state() { return mountState; }
            public String failure() { return null; }
            public State awaitSettled(Duration timeout) { return mountState; }
            public MountStats stats() { return new MountStats(0, 0, List.of()); }
            public boolean drain(Duration timeout) { return true; }
        };
    }

    /** The library as the monitor sees it: configured origins and their syncs; records rescans. */
    Library library() {
        return new Library() {
            public TreeSnapshot tree() { throw new UnsupportedOperationException(); }
            public SyncState syncState(String originId) { return null; }
            public List<SyncState> syncStates() { return syncs; }
            public boolean rescan(String originId) { rescans.add(originId); return true; }
        };
    }
}
