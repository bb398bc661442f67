package io.musicfs.health.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes reads to origins. Tracks every {@link Origin} service as it comes and goes; a file is
 * served by the origin that holds it, and an origin that failed {@link #TRIP_AFTER} calls in a
 * row is tried last for {@link #COOL_DOWN_NANOS} (a circuit breaker that never hides the only
 * origin a file has).
 *
 * <p>Thread-safe without locks: the origin map and the per-origin records are concurrent.
 */
@Component(service = OriginRouter.class)
public class OriginRoutes implements OriginRouter {

    private static final Logger LOG = LoggerFactory.getLogger(OriginRoutes.class);
    /** consecutive failures after which an origin is moved to the back of the line */
    static final int TRIP_AFTER = 3;
    /** how long a tripped origin stays at the back before it is trusted again */
    static final long COOL_DOWN_NANOS = 30_000_000_000L;

    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final Map<String, OriginRecord> records = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public OriginRoutes() {
        this(System::nanoTime);
    }

    OriginRoutes(LongSupplier clock) {
        this.clock = clock;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addOrigin(Origin origin) {
        origins.put(origin.id(), origin);
        LOG.info("origin {} ({}) available for reads", origin.id(), origin.type());
    }

    void removeOrigin(Origin origin) {
        if (origins.remove(origin.id(), origin)) {
            LOG.info("origin {} gone: its tracks are served from the cache until it returns", origin.id());
        }
    }

    @Override
    public List<Origin> route(TrackFile file) {
        Origin holder = origins.get(file.originId());
        if (holder == null) {
            return List.of();
        }
        return ordered(List.of(holder));
    }

    /** Healthy origins first in the given order, then tripped ones. */
    private List<Origin> ordered(Collection<Origin> candidates) {
        List<Origin> healthy = new ArrayList<>(candidates.size());
        List<Origin> tripped = new ArrayList<>(0);
        long now = clock.getAsLong();
        for (Origin origin : candidates) {
            OriginRecord record = records.get(origin.id());
            (record != null && record.tripped(now) ? tripped : healthy).add(origin);
        }
        healthy.addAll(tripped);
        return healthy;
    }

    @Override
    public void report(String originId, boolean success, long nanos) {
        OriginRecord record = records.computeIfAbsent(originId, id -> new OriginRecord());
        if (record.report(success, clock.getAsLong())) {
            LOG.warn("origin {}: {} failed calls in a row; tried last for the next {} s", originId, TRIP_AFTER,
                    COOL_DOWN_NANOS / 1_000_000_000L);
        }
    }

    /** Consecutive failures of one origin. */
    static final class OriginRecord {
        private int failures;
        private long trippedAt;
        private boolean tripped;

        /** @return whether this report tripped the breaker */
        synchronized boolean report(boolean success, long now) {
            if (success) {
                failures = 0;
                tripped = false;
                return false;
            }
            failures++;
            if (failures >= TRIP_AFTER && !tripped(now)) {
                tripped = true;
                trippedAt = now;
                return true;
            }
            return false;
        }

        synchronized boolean tripped(long now) {
            return tripped && now - trippedAt < COOL_DOWN_NANOS;
        }
    }
}
