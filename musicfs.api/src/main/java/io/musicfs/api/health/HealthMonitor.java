package io.musicfs.api.health;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The health monitor: probes every origin in parallel with a deadline and judges the service. */
@ProviderType
public interface HealthMonitor {

    /** Event Admin topic sent when an origin's health changes; properties {@code origin}, {@code health}, {@code previous}, {@code reason}. */
    String TOPIC_ORIGIN_HEALTH = "io/musicfs/health/ORIGIN_HEALTH";
    /** Event Admin topic sent when the service state changes; properties {@code state}, {@code previous}. */
    String TOPIC_SERVICE_STATE = "io/musicfs/health/SERVICE_STATE";

    /** @return every configured origin's health, in priority order; cheap, never blocks */
    List<OriginHealth> origins();

    /** @return one origin's health, or {@code null} when no such origin is configured */
    OriginHealth origin(String originId);

    /** @return the state of the whole service now */
    ServiceState state();
}
