package io.musicfs.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.Progress;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;
import io.musicfs.api.mount.OperationStats;

import org.junit.jupiter.api.Test;

/** What a scrape shows is what the services say at that moment. */
class LiveMetricsTest {

    final AtomicReference<MountStats> stats = new AtomicReference<>();
    final AtomicReference<CacheStatus> cacheStatus = new AtomicReference<>();
    final AtomicReference<Mount> mount = new AtomicReference<>();
    final AtomicReference<CacheAdmin> cache = new AtomicReference<>();
    final LiveMetrics metrics = new LiveMetrics(new LiveMetrics.Sources(mount::get, cache::get, () -> null, () -> null, () -> null));

    String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void fuseOperationsAreCountersAndACumulativeLatencyHistogram() throws Exception {
        long[] buckets = new long[OperationStats.BUCKET_BOUNDS_SECONDS.length + 1];
        buckets[0] = 1;
        buckets[1] = 2;
        buckets[buckets.length - 1] = 3;
        mount.set(mount());
        stats.set(new MountStats(2, 0, List.of(new OperationStats("read", 6, 1, 40.5, buckets))));
        String text = scrape();
        assertTrue(text.contains("musicfs_fuse_operations_total{operation=\"read\"} 6.0\n"), text);
        assertTrue(text.contains("musicfs_fuse_operation_errors_total{operation=\"read\"} 1.0\n"), text);
        assertTrue(text.contains("musicfs_fuse_operation_duration_seconds_bucket{operation=\"read\",le=\"5.0E-5\"} 1\n"), text);
        assertTrue(text.contains("musicfs_fuse_operation_duration_seconds_bucket{operation=\"read\",le=\"1.0E-4\"} 3\n"), text);
        assertTrue(text.contains("musicfs_fuse_operation_duration_seconds_bucket{operation=\"read\",le=\"30.0\"} 3\n"), text);
        assertTrue(text.contains("musicfs_fuse_operation_duration_seconds_bucket{operation=\"read\",le=\"+Inf\"} 6\n"), text);
        assertTrue(text.contains("musicfs_fuse_operation_duration_seconds_sum{operation=\"read\"} 40.5\n"), text);
        assertTrue(text.contains("musicfs_fuse_open_handles 2.0\n"), text);

        stats.set(new MountStats(0, 0, List.of(new OperationStats("read", 7, 1, 41, buckets(7)))));
        assertTrue(scrape().contains("musicfs_fuse_operations_total{operation=\"read\"} 7.0\n"), "read again at every scrape");
    }

    @Test
    void cacheCountersAndStateComeFromTheCacheStatus() throws Exception {
        assertFalse(scrape().contains("musicfs_cache_hits_total"), "no samples while there is no cache admin");
        cache.set(cache());
        cacheStatus.set(new CacheStatus(CacheStatus.State.PASSTHROUGH, "cache disk read-only", 10, 100, 1, 5, 3, 2, 1, false, 3000, 8000));
        String text = scrape();
        assertTrue(text.contains("musicfs_cache_hits_total 5.0\n"), text);
        assertTrue(text.contains("musicfs_cache_misses_total 3.0\n"), text);
        assertTrue(text.contains("musicfs_cache_evictions_total 2.0\n"), text);
        assertTrue(text.contains("musicfs_cache_bad_chunks_total 1.0\n"), text);
        assertTrue(text.contains("musicfs_cache_origin_bytes_total 3000.0\n"), text);
        assertTrue(text.contains("musicfs_cache_served_bytes_total 8000.0\n"), text);
        assertTrue(text.contains("musicfs_cache_size_bytes 10.0\n"), text);
        assertTrue(text.contains("musicfs_cache_limit_bytes 100.0\n"), text);
        assertTrue(text.contains("musicfs_cache_state{state=\"passthrough\"} 1.0\n"), text);
        assertTrue(text.contains("musicfs_cache_state{state=\"active\"} 0.0\n"), text);
    }

    static long[] buckets(long slow) {
        long[] buckets = new long[OperationStats.BUCKET_BOUNDS_SECONDS.length + 1];
        buckets[buckets.length - 1] = slow;
        return buckets;
    }

    Mount mount() {
        return new Mount() {
            public Path mountPoint() { return Path.of("/mnt"); }
            public State state() { return State.MOUNTED; }
            public String failure() { return null; }
            public State awaitSettled(Duration timeout) { return State.MOUNTED; }
            public MountStats stats() { return stats.get(); }
            public boolean drain(Duration timeout) { return true; }
        };
    }

    CacheAdmin cache() {
        return new CacheAdmin() {
            public CacheStatus status() { return cacheStatus.get(); }
            public VerifyReport verify(boolean all, Progress progress) { throw new UnsupportedOperationException(); }
            public long clear(String originId) { throw new UnsupportedOperationException(); }
            public PrefetchReport prefetch(List<TrackFile> files, Progress progress) { throw new UnsupportedOperationException(); }
            public void shedPrefetch(String reason) { throw new UnsupportedOperationException(); }
        };
    }
}
