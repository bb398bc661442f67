package io.musicfs.control.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;
import io.musicfs.api.mount.OperationStats;
import io.musicfs.api.supervision.Lifecycle;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.api.supervision.TaskStatus;

/**
 * Turns the services' state into the JSON-ready maps of the API: the status, the origins, the
 * cache. Reads only cheap, non-blocking getters, so a status call never waits on an origin.
 */
final class StatusReport {

    static final String NO_CACHE = "cache service not available";
    static final String NO_LIBRARY = "library service not available";
    static final String NO_MOUNT = "mount not available";
    static final String NO_HEALTH = "health monitor not available";

    private final Services services;
    private final Clock clock;

    StatusReport(Services services, Clock clock) {
        this.services = services;
        this.clock = clock;
    }

    Map<String, Object> status(EventHub events) {
        Map<String, Object> status = new LinkedHashMap<>();
        Lifecycle lifecycle = services.lifecycle();
        Instant started = lifecycle != null ? lifecycle.started() : services.started();
        status.put("version", lifecycle != null ? lifecycle.version() : services.version());
        status.put("started", started.toString());
        status.put("uptimeSeconds", Duration.between(started, clock.instant()).toSeconds());
        Mount mount = services.mount();
        Library library = services.library();
        HealthMonitor health = services.health();
        status.put("state", state(mount, library, health));
        status.put("stateFrom", health != null ? "health monitor" : "mount and sync (" + NO_HEALTH + ")");
        if (mount != null) {
            status.put("mountPoint", mount.mountPoint().toString());
            status.put("mountState", mount.state().name());
            status.put("mountFailure", mount.failure());
            MountStats stats = mount.stats();
            status.put("openHandles", stats.openHandles());
            status.put("inFlight", stats.inFlight());
            List<Map<String, Object>> operations = new ArrayList<>();
            for (OperationStats op : stats.operations()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("operation", op.operation());
                o.put("count", op.count());
                o.put("errors", op.errors());
                o.put("seconds", op.sumSeconds());
                operations.add(o);
            }
            status.put("operations", operations);
        } else {
            status.put("mountError", NO_MOUNT);
        }
        if (library != null) {
            status.put("tracks", library.tree().trackCount());
            status.put("directories", library.tree().directoryCount());
        } else {
            status.put("libraryError", NO_LIBRARY);
        }
        CacheAdmin cache = services.cache();
        if (cache != null) {
            status.put("cache", cache(cache.status()));
        } else {
            status.put("cacheError", NO_CACHE);
        }
        status.put("origins", origins());
        Supervisor supervisor = services.supervisor();
        if (supervisor != null) {
            status.put("tasks", supervisor.tasks().stream().map(StatusReport::task).toList());
        }
        status.put("webhooks", services.webhooks());
        Map<String, Object> eventCounts = new LinkedHashMap<>();
        eventCounts.put("subscribers", events.subscribers());
        eventCounts.put("dropped", events.dropped());
        status.put("events", eventCounts);
        return status;
    }

    /**
     * The service state: the health monitor's verdict when it runs, else what the mount and the
     * syncs show (mounting, unmounting, degraded when a sync failed, syncing, ready).
     */
    static String state(Mount mount, Library library, HealthMonitor health) {
        if (health != null) {
            return health.state().name().toLowerCase(Locale.ROOT);
        }
        if (mount == null || mount.state() == Mount.State.MOUNTING) {
            return "mounting";
        }
        if (mount.state() == Mount.State.UNMOUNTED) {
            return "unmounting";
        }
        if (mount.state() == Mount.State.FAILED) {
            return "offline";
        }
        if (library == null) {
            return "degraded";
        }
        List<SyncState> syncs = library.syncStates();
        if (syncs.stream().anyMatch(s -> s.lastError() != null)) {
            return "degraded";
        }
        return syncs.stream().anyMatch(SyncState::running) ? "syncing" : "ready";
    }

    /** @return every known origin (configured, registered or probed), in priority order */
    List<Map<String, Object>> origins() {
        Set<String> ids = new LinkedHashSet<>();
        HealthMonitor health = services.health();
        Library library = services.library();
        if (health != null) {
            health.origins().forEach(h -> ids.add(h.originId()));
        }
        if (library != null) {
            library.syncStates().forEach(s -> ids.add(s.originId()));
        }
        services.origins().forEach(o -> ids.add(o.id()));
        List<Map<String, Object>> origins = new ArrayList<>();
        for (String id : ids) {
            origins.add(origin(id));
        }
        return origins;
    }

    /** @return one origin, or {@code null} when no service knows it */
    Map<String, Object> origin(String id) {
        HealthMonitor health = services.health();
        Library library = services.library();
        OriginHealth originHealth = health == null ? null : health.origin(id);
        SyncState sync = library == null ? null : library.syncState(id);
        if (sync == null && library != null) {
            sync = library.syncStates().stream().filter(s -> s.originId().equals(id)).findFirst().orElse(null);
        }
        Services.OriginService service = services.origins().stream().filter(o -> o.id().equals(id)).findFirst().orElse(null);
        if (originHealth == null && sync == null && service == null) {
            return null;
        }
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("id", id);
        origin.put("type", service != null ? service.type() : originHealth != null ? originHealth.type() : null);
        origin.put("priority", service != null ? Integer.valueOf(service.priority()) : originHealth != null ? originHealth.priority() : null);
        origin.put("service", service != null ? "registered" : "not registered");
        if (originHealth != null) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("state", originHealth.state().name());
            h.put("reason", originHealth.reason());
            h.put("latencyMillis", originHealth.latency() == null ? null : originHealth.latency().toNanos() / 1e6);
            h.put("since", originHealth.since() == null ? null : originHealth.since().toString());
            h.put("consecutiveFailures", originHealth.consecutiveFailures());
            origin.put("health", h);
        } else {
            origin.put("health", null);
            origin.put("healthError", health == null ? NO_HEALTH : "not probed");
        }
        if (sync != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("running", sync.running());
            s.put("completedSyncs", sync.completedSyncs());
            s.put("filesSeen", sync.filesSeen());
            s.put("lastError", sync.lastError());
            origin.put("sync", s);
        } else {
            origin.put("sync", null);
        }
        return origin;
    }

    static Map<String, Object> cache(CacheStatus status) {
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("state", status.state().name());
        cache.put("reason", status.reason());
        cache.put("bytes", status.bytes());
        cache.put("limitBytes", status.limitBytes());
        cache.put("chunks", status.chunks());
        cache.put("hits", status.hits());
        cache.put("misses", status.misses());
        cache.put("hitRatio", status.hitRatio());
        cache.put("evictions", status.evictions());
        cache.put("badChunks", status.badChunks());
        cache.put("prefetching", status.prefetching());
        return cache;
    }

    private static Map<String, Object> task(TaskStatus task) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", task.name());
        t.put("kind", task.kind().name());
        t.put("state", task.state().name());
        t.put("restarts", task.restarts());
        t.put("lastError", task.lastError());
        t.put("since", task.since() == null ? null : task.since().toString());
        return t;
    }
}
