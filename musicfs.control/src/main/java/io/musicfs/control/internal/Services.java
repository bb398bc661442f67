package io.musicfs.control.internal;

import java.time.Instant;
import java.util.List;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.supervision.Lifecycle;
import io.musicfs.api.supervision.Supervisor;

/**
 * The daemon's services as the control API sees them at one moment. Every one of them may be
 * missing (not started yet, stopped, or not installed): a getter then returns {@code null} and the
 * API says which service is not available.
 */
interface Services {

    Library library();

    Mount mount();

    CacheAdmin cache();

    HealthMonitor health();

    Lifecycle lifecycle();

    Supervisor supervisor();

    /** @return the origin services registered now, in priority order */
    List<OriginService> origins();

    /** @return the configured webhooks and their counters, secrets left out */
    default List<java.util.Map<String, Object>> webhooks() {
        return List.of();
    }

    /** @return the version of this bundle: the version running when the lifecycle service is missing */
    String version();

    /** @return when the JVM started: the daemon's start when the lifecycle service is missing */
    Instant started();

    /** An origin service as its registration describes it. */
    record OriginService(String id, String type, int priority) {
    }
}
