package io.musicfs.metrics.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.health.ServiceState;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;
import io.musicfs.api.mount.OperationStats;
import io.musicfs.api.supervision.Lifecycle;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The MusicFS metrics as a Prometheus registry whose every value is read from the services when it
 * is scraped: nothing is counted twice, and a service that is not there simply has no samples.
 *
 * <p>Thread-safe: the registry and the suppliers are; each scrape reads the services afresh.
 */
final class LiveMetrics {

    /** The services the metrics are read from; each supplier returns {@code null} while its service is absent. */
    record Sources(Supplier<Mount> mount, Supplier<CacheAdmin> cache, Supplier<HealthMonitor> health, Supplier<Library> library,
            Supplier<Lifecycle> lifecycle) {
    }

    private static final double[] UPPER_BOUNDS = upperBounds();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Sources sources;
    private final Instant jvmStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());

    LiveMetrics(Sources sources) {
        this.sources = sources;
        fuse();
        cache();
        origins();
        library();
        process();
    }

    /** Writes every metric in the Prometheus text format. */
    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    String contentType() {
        return writer.getContentType();
    }

    private void fuse() {
        counter("musicfs_fuse_operations", "FUSE operations answered, by operation", new String[] { "operation" }, cb -> {
            for (OperationStats op : operations()) {
                cb.call(op.count(), op.operation());
            }
        });
        counter("musicfs_fuse_operation_errors", "FUSE operations answered with an error other than ENOENT, by operation",
                new String[] { "operation" }, cb -> {
                    for (OperationStats op : operations()) {
                        cb.call(op.errors(), op.operation());
                    }
                });
        registry.register(() -> {
            HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name("musicfs_fuse_operation_duration_seconds")
                    .help("Time to answer FUSE operations, by operation").unit(Unit.SECONDS);
            for (OperationStats op : operations()) {
                histogram.dataPoint(HistogramDataPointSnapshot.builder()
                        .labels(Labels.of("operation", op.operation()))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, op.bucketCounts()))
                        .sum(op.sumSeconds())
                        .build());
            }
            return histogram.build();
        });
        gauge("musicfs_fuse_open_handles", "Files open through the mount", cb -> {
            MountStats stats = mountStats();
            if (stats != null) {
                cb.call(stats.openHandles());
            }
        });
        gauge("musicfs_fuse_operations_in_flight", "FUSE operations being answered now", cb -> {
            MountStats stats = mountStats();
            if (stats != null) {
                cb.call(stats.inFlight());
            }
        });
        gauge("musicfs_mounted", "1 while the library is mounted", cb -> {
            Mount mount = sources.mount().get();
            cb.call(mount != null && mount.state() == Mount.State.MOUNTED ? 1 : 0);
        });
    }

    private void cache() {
        cacheCounter("musicfs_cache_hits", "Chunks served from the cache", CacheStatus::hits);
        cacheCounter("musicfs_cache_misses", "Chunks fetched from an origin", CacheStatus::misses);
        cacheCounter("musicfs_cache_evictions", "Chunks evicted to stay under the size limit", CacheStatus::evictions);
        cacheCounter("musicfs_cache_bad_chunks", "Chunks found damaged or missing and dropped", CacheStatus::badChunks);
        cacheCounter("musicfs_cache_origin_bytes", "Bytes fetched from origins (reads, read-ahead, prefetch)", CacheStatus::originBytes);
        cacheCounter("musicfs_cache_served_bytes", "Bytes handed to readers, from the cache or fetched", CacheStatus::servedBytes);
        cacheGauge("musicfs_cache_size_bytes", "Bytes of chunk files on disk", CacheStatus::bytes);
        cacheGauge("musicfs_cache_limit_bytes", "The configured cache size limit", CacheStatus::limitBytes);
        cacheGauge("musicfs_cache_chunks", "Chunk files on disk", CacheStatus::chunks);
        GaugeWithCallback.builder().name("musicfs_cache_state").help("1 for the cache's current state (active, passthrough)")
                .labelNames("state").callback(cb -> {
                    CacheStatus status = cacheStatus();
                    if (status != null) {
                        for (CacheStatus.State state : CacheStatus.State.values()) {
                            cb.call(status.state() == state ? 1 : 0, state.name().toLowerCase());
                        }
                    }
                }).register(registry);
    }

    private void origins() {
        GaugeWithCallback.builder().name("musicfs_origin_health").help("1 for each origin's current health (unknown, healthy, degraded, unhealthy)")
                .labelNames("origin", "state").callback(cb -> {
                    for (OriginHealth origin : originHealth()) {
                        for (OriginHealth.State state : OriginHealth.State.values()) {
                            cb.call(origin.state() == state ? 1 : 0, origin.originId(), state.name().toLowerCase());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("musicfs_origin_up").help("1 while the origin is healthy or degraded (routed to), else 0")
                .labelNames("origin").callback(cb -> {
                    for (OriginHealth origin : originHealth()) {
                        boolean up = origin.state() == OriginHealth.State.HEALTHY || origin.state() == OriginHealth.State.DEGRADED;
                        cb.call(up ? 1 : 0, origin.originId());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("musicfs_origin_probe_latency_seconds").help("Round trip of the origin's last passed health probe")
                .unit(Unit.SECONDS).labelNames("origin").callback(cb -> {
                    for (OriginHealth origin : originHealth()) {
                        if (origin.latency() != null) {
                            cb.call(origin.latency().toNanos() / 1e9, origin.originId());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("musicfs_origin_failed_probes").help("Failed health probes in a row")
                .labelNames("origin").callback(cb -> {
                    for (OriginHealth origin : originHealth()) {
                        cb.call(origin.consecutiveFailures(), origin.originId());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("musicfs_state").help("1 for the service's current state (mounting, ready, syncing, degraded, offline, unmounting)")
                .labelNames("state").callback(cb -> {
                    HealthMonitor health = sources.health().get();
                    if (health != null) {
                        ServiceState now = health.state();
                        for (ServiceState state : ServiceState.values()) {
                            cb.call(now == state ? 1 : 0, state.name().toLowerCase());
                        }
                    }
                }).register(registry);
    }

    private void library() {
        gauge("musicfs_tracks", "Tracks in the tree", cb -> {
            Library library = sources.library().get();
            if (library != null) {
                cb.call(library.tree().trackCount());
            }
        });
        GaugeWithCallback.builder().name("musicfs_sync_running").help("1 while a sync of the origin runs")
                .labelNames("origin").callback(cb -> syncs(s -> cb.call(s.running() ? 1 : 0, s.originId()))).register(registry);
        GaugeWithCallback.builder().name("musicfs_sync_files_seen").help("Files listed by the origin's current or last sync")
                .labelNames("origin").callback(cb -> syncs(s -> cb.call(s.filesSeen(), s.originId()))).register(registry);
        GaugeWithCallback.builder().name("musicfs_sync_failed").help("1 when the origin's last sync failed")
                .labelNames("origin").callback(cb -> syncs(s -> cb.call(s.lastError() != null ? 1 : 0, s.originId()))).register(registry);
        counter("musicfs_syncs_completed", "Full syncs of the origin finished since start", new String[] { "origin" },
                cb -> syncs(s -> cb.call(s.completedSyncs(), s.originId())));
    }

    private void process() {
        gauge("musicfs_uptime_seconds", "Seconds since the daemon started", cb -> {
            Lifecycle lifecycle = sources.lifecycle().get();
            Instant started = lifecycle != null ? lifecycle.started() : jvmStart;
            cb.call(Duration.between(started, Instant.now()).toMillis() / 1e3);
        });
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        GaugeWithCallback.builder().name("jvm_memory_used_bytes").help("Used JVM memory, by area (heap, nonheap)").unit(Unit.BYTES)
                .labelNames("area").callback(cb -> {
                    cb.call(memory.getHeapMemoryUsage().getUsed(), "heap");
                    cb.call(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
                }).register(registry);
        GaugeWithCallback.builder().name("jvm_memory_committed_bytes").help("Committed JVM memory, by area (heap, nonheap)").unit(Unit.BYTES)
                .labelNames("area").callback(cb -> {
                    cb.call(memory.getHeapMemoryUsage().getCommitted(), "heap");
                    cb.call(memory.getNonHeapMemoryUsage().getCommitted(), "nonheap");
                }).register(registry);
        GaugeWithCallback.builder().name("jvm_memory_max_bytes").help("The JVM's memory limit, by area (-1 when unlimited)").unit(Unit.BYTES)
                .labelNames("area").callback(cb -> {
                    MemoryUsage heap = memory.getHeapMemoryUsage();
                    cb.call(heap.getMax(), "heap");
                    cb.call(memory.getNonHeapMemoryUsage().getMax(), "nonheap");
                }).register(registry);
    }

    private void counter(String name, String help, String[] labels, Consumer<CounterWithCallback.Callback> read) {
        CounterWithCallback.builder().name(name).help(help).labelNames(labels).callback(read).register(registry);
    }

    private void gauge(String name, String help, Consumer<GaugeWithCallback.Callback> read) {
        GaugeWithCallback.builder().name(name).help(help).callback(read).register(registry);
    }

    private void cacheCounter(String name, String help, java.util.function.ToLongFunction<CacheStatus> value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            CacheStatus status = cacheStatus();
            if (status != null) {
                cb.call(value.applyAsLong(status));
            }
        }).register(registry);
    }

    private void cacheGauge(String name, String help, java.util.function.ToLongFunction<CacheStatus> value) {
        gauge(name, help, cb -> {
            CacheStatus status = cacheStatus();
            if (status != null) {
                cb.call(value.applyAsLong(status));
            }
        });
    }

    private MountStats mountStats() {
        Mount mount = sources.mount().get();
        return mount == null ? null : mount.stats();
    }

    private Iterable<OperationStats> operations() {
        MountStats stats = mountStats();
        return stats == null ? java.util.List.of() : stats.operations();
    }

    private CacheStatus cacheStatus() {
        CacheAdmin cache = sources.cache().get();
        return cache == null ? null : cache.status();
    }

    private Iterable<OriginHealth> originHealth() {
        HealthMonitor health = sources.health().get();
        return health == null ? java.util.List.of() : health.origins();
    }

    private void syncs(Consumer<SyncState> each) {
        Library library = sources.library().get();
        if (library != null) {
            library.syncStates().forEach(each);
        }
    }

    private static double[] upperBounds() {
        double[] bounds = Arrays.copyOf(OperationStats.BUCKET_BOUNDS_SECONDS, OperationStats.BUCKET_BOUNDS_SECONDS.length + 1);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return bounds;
    }
}
