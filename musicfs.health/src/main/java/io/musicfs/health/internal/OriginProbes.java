package io.musicfs.health.internal;

import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;

import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.health.OriginHealth.State;
import io.musicfs.api.origin.Origin;

/**
 * The probe record of one origin: its service (while there is one), the verdict, and when it is
 * probed next. Thresholds decide the verdict: an origin is unhealthy after {@code threshold} failed
 * probes in a row (1 for local origins, 3 for remote ones), degraded before that; a DNS failure
 * only degrades it.
 *
 * <p>Guarded by its own monitor; every method is synchronized and short.
 */
final class OriginProbes {

    /** A change of verdict, for the log and the event. */
    record Transition(String originId, State previous, State next, String reason) {
    }

    /** the least time between the start of a probe and an early one asked for by a failed read */
    static final long EARLY_PROBE_GAP_NANOS = 1_000_000_000L;

    private final String originId;
    private Origin origin;
    private String type;
    private int priority = Integer.MAX_VALUE;
    private boolean remote;

    private State state = State.UNKNOWN;
    private String reason;
    private Duration latency;
    private Instant since = Instant.now();
    private int failures;
    /** System.nanoTime() at which the next probe is due */
    private long nextProbeAt;
    /** whether a probe's thread is in the origin now (a hung one stays there until it returns) */
    private boolean running;
    /** the current probe's number; results of older probes are ignored */
    private long seq;
    /** whether the current probe has a verdict (from its result or its deadline) */
    private boolean decided;
    /** System.nanoTime() of the last passed probe, or 0 */
    private long lastPass;
    /** System.nanoTime() at which the last probe started */
    private long lastStart;

    OriginProbes(String originId) {
        this.originId = originId;
    }

    /** One probe of one service; {@code hung} when the previous probe's thread has not returned yet. */
    record Probe(Origin origin, long seq, boolean hung) {
    }

    synchronized Origin origin() {
        return origin;
    }

    /**
     * A service for this origin arrived; it is probed at once and, until then, routed to like an
     * origin not probed yet (a verdict about the service that went away says nothing about this one).
     *
     * @return the transition back to unknown when the origin had no service, else {@code null}
     */
    synchronized Transition attach(Origin service, long now) {
        boolean returned = origin == null && state != State.UNKNOWN;
        origin = service;
        type = service.type();
        priority = service.priority();
        remote = service.remote();
        nextProbeAt = now;
        running = false;
        seq++;
        if (!returned) {
            return null;
        }
        failures = 0;
        return move(State.UNKNOWN, null);
    }

    /** @return the transition to unhealthy when the service was this record's, else {@code null} */
    synchronized Transition detach(Origin service) {
        if (origin != service) {
            return null;
        }
        origin = null;
        running = false;
        seq++;
        failures = 0;
        latency = null;
        return move(State.UNHEALTHY, "service gone");
    }

    /**
     * @return the probe due now, or {@code null}; a probe whose predecessor still hangs is returned
     *     with {@code hung} set and must be judged a failure without calling the origin again, so a
     *     hung origin stays unhealthy without piling up threads
     */
    synchronized Probe startIfDue(long now, long interval) {
        if (origin == null || now - nextProbeAt < 0) {
            return null;
        }
        if (running) {
            nextProbeAt = now + interval;
            decided = false;
            return new Probe(origin, seq, true);
        }
        running = true;
        decided = false;
        seq++;
        lastStart = now;
        nextProbeAt = now + interval;
        return new Probe(origin, seq, false);
    }

    /**
     * Brings the next probe forward to now, unless one runs or one is due within the minimum gap
     * (so a burst of failed reads starts one probe, not one each).
     *
     * @return whether the probe was brought forward
     */
    synchronized boolean dueNow(long now) {
        if (origin == null || running || nextProbeAt - now <= 0 || now - lastStart < EARLY_PROBE_GAP_NANOS) {
            return false;
        }
        nextProbeAt = now;
        return true;
    }

    /** The probe's thread returned (in time or not). */
    synchronized void finished(Probe probe) {
        if (probe.seq == seq) {
            running = false;
        }
    }

    /** @return System.nanoTime() at which the next probe is due, {@link Long#MAX_VALUE} without a service */
    synchronized long nextProbeAt() {
        return origin == null ? Long.MAX_VALUE : nextProbeAt;
    }

    /** @return System.nanoTime() of the last passed probe, or 0 */
    synchronized long lastPass() {
        return lastPass;
    }

    /** @return the transition, or {@code null} when the probe was already judged or the verdict did not change */
    synchronized Transition passed(Probe probe, long nanos, long now) {
        if (!judge(probe)) {
            return null;
        }
        failures = 0;
        latency = Duration.ofNanos(nanos);
        lastPass = now;
        return move(State.HEALTHY, null);
    }

    /**
     * @param failure why the probe failed, or {@code null} for a timeout
     * @param description the failure in one line for the operator
     * @return the transition, or {@code null} when the probe was already judged or the verdict did not change
     */
    synchronized Transition failed(Probe probe, Throwable failure, String description, long now, long dnsRetry,
            int localThreshold, int remoteThreshold) {
        if (!judge(probe)) {
            return null;
        }
        if (isDnsFailure(failure)) {
            // a resolver hiccup is not a dead origin: degrade it and ask again soon
            nextProbeAt = now + dnsRetry;
            return move(State.DEGRADED, "name resolution failed: " + description + "; probing again in "
                    + Duration.ofNanos(dnsRetry).toSeconds() + " s");
        }
        failures++;
        int threshold = remote ? remoteThreshold : localThreshold;
        if (failures >= threshold) {
            return move(State.UNHEALTHY, description + " (" + failures + " failed probe" + (failures == 1 ? "" : "s") + " in a row)");
        }
        return move(State.DEGRADED, description + " (" + failures + " of " + threshold + " failed probes before unhealthy)");
    }

    /** @return whether the probe is the current one and not judged yet; marks it judged */
    private boolean judge(Probe probe) {
        if (probe.origin != origin || probe.seq != seq || decided) {
            return false;
        }
        decided = true;
        return true;
    }

    private Transition move(State next, String why) {
        State previous = state;
        reason = why;
        if (previous == next) {
            return null;
        }
        state = next;
        since = Instant.now();
        return new Transition(originId, previous, next, why);
    }

    synchronized OriginHealth health() {
        return new OriginHealth(originId, origin == null ? null : type, priority, state, reason, latency, since, failures);
    }

    static boolean isDnsFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
