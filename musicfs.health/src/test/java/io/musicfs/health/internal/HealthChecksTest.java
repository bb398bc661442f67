package io.musicfs.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.Progress;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;

import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each health check's verdict for what the operator would want to be woken for. */
class HealthChecksTest {

    @TempDir
    Path dir;
    final ProbingHealthMonitor monitor = new ProbingHealthMonitor();
    long now = System.nanoTime();

    HealthChecksTest() {
        monitor.open(ProbingHealthMonitorTest.config(Map.of()));
    }

    @AfterEach
    void close() {
        monitor.deactivate();
    }

    void round() throws Exception {
        now += TimeUnit.SECONDS.toNanos(10);
        for (Future<?> probe : monitor.probeDue(now)) {
            probe.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void originsWarnWhileDegradedAndAreCriticalOnceUnhealthy() throws Exception {
        OriginsCheck check = new OriginsCheck();
        assertEquals(Result.Status.TEMPORARILY_UNAVAILABLE, check.execute().getStatus());
        check.monitor = monitor;
        assertEquals(Result.Status.WARN, check.execute().getStatus(), "no origin configured");
        FaultInjectingOrigin nas = new FaultInjectingOrigin(FaultInjectingOrigin.local("nas", Files.createDirectories(dir.resolve("nas"))), true, 1);
        FaultInjectingOrigin disk = new FaultInjectingOrigin(FaultInjectingOrigin.local("disk", Files.createDirectories(dir.resolve("disk"))), false, 2);
        monitor.addOrigin(nas);
        monitor.addOrigin(disk);
        round();
        assertEquals(Result.Status.OK, check.execute().getStatus());
        nas.mode(FaultInjectingOrigin.Mode.FAIL);
        round();
        assertEquals(Result.Status.WARN, check.execute().getStatus());
        round();
        round();
        Result unhealthy = check.execute();
        assertEquals(Result.Status.CRITICAL, unhealthy.getStatus());
        assertTrue(unhealthy.toString().contains("origin nas: unhealthy"), unhealthy.toString());
    }

    @Test
    void cacheWarnsInPassthrough() {
        CacheCheck check = new CacheCheck();
        assertEquals(Result.Status.OK, check.execute().getStatus(), "reads work without the admin service");
        CacheStatus[] status = { new CacheStatus(CacheStatus.State.ACTIVE, null, 1 << 20, 1 << 30, 1, 9, 1, 0, 0, true, 1 << 20, 10 << 20) };
        check.cache = new CacheAdmin() {
            public CacheStatus status() { return status[0]; }
            public VerifyReport verify(boolean all, Progress progress) { throw new UnsupportedOperationException(); }
            public long clear(String originId) { throw new UnsupportedOperationException(); }
            public PrefetchReport prefetch(List<TrackFile> files, Progress progress) { throw new UnsupportedOperationException(); }
            public void shedPrefetch(String reason) { throw new UnsupportedOperationException(); }
        };
        assertEquals(Result.Status.OK, check.execute().getStatus());
        status[0] = new CacheStatus(CacheStatus.State.PASSTHROUGH, "cache disk read-only: /var/cache/musicfs", 0, 1 << 30, 0, 0, 0, 0, 0, false, 0, 0);
        Result passthrough = check.execute();
        assertEquals(Result.Status.WARN, passthrough.getStatus());
        assertTrue(passthrough.toString().contains("cache disk read-only"), passthrough.toString());
    }

    @Test
    void catalogWarnsOnASyncError() {
        CatalogCheck check = new CatalogCheck();
        assertEquals(Result.Status.TEMPORARILY_UNAVAILABLE, check.execute().getStatus());
        List<List<SyncState>> syncs = new java.util.ArrayList<>(List.of(List.of(new SyncState("nas", false, 1, 10, null))));
        check.library = new Library() {
            public TreeSnapshot tree() { return null; }
            public SyncState syncState(String originId) { return null; }
            public List<SyncState> syncStates() { return syncs.get(0); }
            public boolean rescan(String originId) { return false; }
        };
        // the tree is not needed for a verdict: a catalog whose tree is not loaded yet still reports its syncs
        assertEquals(Result.Status.OK, check.execute().getStatus());
        syncs.set(0, List.of(new SyncState("nas", false, 1, 10, "origin nas: connection refused")));
        Result failed = check.execute();
        assertEquals(Result.Status.WARN, failed.getStatus());
        assertTrue(failed.toString().contains("connection refused"), failed.toString());
    }

    @Test
    void mountIsCriticalUnlessMounted() {
        MountCheck check = new MountCheck();
        assertEquals(Result.Status.CRITICAL, check.execute().getStatus());
        Mount.State[] state = { Mount.State.MOUNTING };
        check.mount = new Mount() {
            public Path mountPoint() { return dir.resolve("mnt"); }
            public State state() { return state[0]; }
            public String failure() { return "mount point is not a folder"; }
            public State awaitSettled(Duration timeout) { return state[0]; }
            public MountStats stats() { return new MountStats(0, 0, List.of()); }
            public boolean drain(Duration timeout) { return true; }
        };
        assertEquals(Result.Status.CRITICAL, check.execute().getStatus());
        state[0] = Mount.State.MOUNTED;
        assertEquals(Result.Status.OK, check.execute().getStatus());
        state[0] = Mount.State.FAILED;
        Result failed = check.execute();
        assertEquals(Result.Status.CRITICAL, failed.getStatus());
        assertTrue(failed.toString().contains("mount point is not a folder"), failed.toString());
    }
}
