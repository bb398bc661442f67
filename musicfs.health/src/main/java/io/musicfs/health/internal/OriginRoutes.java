package io.musicfs.health.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;
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
 * served by the origin that holds it. The {@link HealthMonitor}'s verdicts decide: an origin it
 * judges unhealthy is not routed to at all (the read is served from the cache or fails at once,
 * and refused reads are logged as one summary a minute rather than one error each); candidates are
 * ordered by priority, then by recent latency. An origin that failed {@link #TRIP_AFTER} calls in a
 * row is tried last for {@link #COOL_DOWN_NANOS} (a circuit breaker that never hides the only
 * origin a file has), or until it passes a health probe again.
 *
 * <p>Thread-safe: the origin map is concurrent, each per-origin record guards itself, and only a
 * refused read takes the summary's lock.
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
    private final RefusedReads refused;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile HealthMonitor monitor;

    public OriginRoutes() {
        this(System::nanoTime);
    }

    OriginRoutes(LongSupplier clock) {
        this.clock = clock;
        this.refused = new RefusedReads(clock, LOG);
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
        List<Origin> routed = holder == null ? List.of() : ordered(List.of(holder));
        if (routed.isEmpty()) {
            refused.count(file.originId());
        }
        return routed;
    }

    /**
     * The candidates the health monitor does not judge unhealthy: by priority, then recent latency;
     * tripped ones last.
     */
    List<Origin> ordered(Collection<Origin> candidates) {
        HealthMonitor health = monitor;
        ProbingHealthMonitor probes = health instanceof ProbingHealthMonitor same ? same : null;
        List<Origin> healthy = new ArrayList<>(candidates.size());
        List<Origin> tripped = new ArrayList<>(0);
        long now = clock.getAsLong();
        for (Origin origin : candidates) {
            OriginHealth verdict = health == null ? null : health.origin(origin.id());
            if (verdict != null && verdict.state() == OriginHealth.State.UNHEALTHY) {
                continue;
            }
            OriginRecord record = records.get(origin.id());
            boolean trippedNow = record != null && record.tripped(now)
                    && !(probes != null && record.passedProbeSinceTrip(probes.lastPass(origin.id())));
            (trippedNow ? tripped : healthy).add(origin);
        }
        Comparator<Origin> best = Comparator.<Origin>comparingInt(Origin::priority).thenComparingLong(o -> latency(o, health));
        healthy.sort(best);
        tripped.sort(best);
        healthy.addAll(tripped);
        return healthy;
    }

    /** @return the origin's recent latency in nanoseconds: of real calls, else of probes, else unknown (last) */
    private long latency(Origin origin, HealthMonitor health) {
        OriginRecord record = records.get(origin.id());
        long calls = record == null ? 0 : record.latency();
        if (calls > 0) {
            return calls;
        }
        OriginHealth verdict = health == null ? null : health.origin(origin.id());
        return verdict != null && verdict.latency() != null ? verdict.latency().toNanos() : Long.MAX_VALUE;
    }

    @Override
    public void report(String originId, boolean success, long nanos) {
        OriginRecord record = records.computeIfAbsent(originId, id -> new OriginRecord());
        if (!success && monitor instanceof ProbingHealthMonitor probes) {
            // a failed read is news: the monitor checks the origin now rather than at its next round
            probes.probeSoon(originId);
        }
        if (record.report(success, nanos, clock.getAsLong())) {
            LOG.warn("origin {}: {} failed calls in a row; tried last for the next {} s", originId, TRIP_AFTER,
                    COOL_DOWN_NANOS / 1_000_000_000L);
        }
    }

    /** Consecutive failures of one origin, and the recent latency of its successful calls. */
    static final class OriginRecord {
        /** weight of the newest call in the moving average of latencies */
        private static final double LATENCY_WEIGHT = 0.2;

        private int failures;
        private long trippedAt;
        private boolean tripped;
        private double latency;

        /** @return whether this report tripped the breaker */
        synchronized boolean report(boolean success, long nanos, long now) {
            if (success) {
                failures = 0;
                tripped = false;
                latency = latency == 0 ? nanos : latency + LATENCY_WEIGHT * (nanos - latency);
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

        /** @return whether a probe passed after the breaker tripped (then the origin is taken back) */
        synchronized boolean passedProbeSinceTrip(long lastPass) {
            if (tripped && lastPass != 0 && lastPass - trippedAt > 0) {
                tripped = false;
                failures = 0;
                return true;
            }
            return false;
        }

        /** @return the moving average of successful calls' latency in nanoseconds, 0 before the first */
        synchronized long latency() {
            return (long) latency;
        }
    }
}
