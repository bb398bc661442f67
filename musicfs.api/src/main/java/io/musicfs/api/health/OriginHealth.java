package io.musicfs.api.health;

import java.time.Duration;
import java.time.Instant;

/**
 * One origin's health.
 *
 * @param originId the origin
 * @param type the origin type ("local", "s3", "sftp", ...), or {@code null} when its service is gone
 * @param priority its priority (lower is preferred)
 * @param state the verdict
 * @param reason why it is not healthy, one line for the operator; {@code null} when healthy
 * @param latency the last successful probe's round trip, or {@code null}
 * @param since when the state was entered
 * @param consecutiveFailures failed probes in a row
 */
public record OriginHealth(String originId, String type, int priority, State state, String reason, Duration latency,
        Instant since, int consecutiveFailures) {

    public enum State {
        /** not probed yet */
        UNKNOWN,
        HEALTHY,
        /** failing, but not yet past its threshold */
        DEGRADED,
        /** past its failure threshold, or its service is gone: not routed to */
        UNHEALTHY
    }
}
