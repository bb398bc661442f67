package io.musicfs.health.internal;

import java.util.List;

import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.health.OriginHealth;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Health check of the origins, tag {@code origins}: OK while every origin is healthy, WARN while
 * one is degraded (failing, not yet past its threshold), CRITICAL when one is unhealthy, since its
 * uncached tracks cannot be read then.
 */
@Component(service = HealthCheck.class, property = {
    HealthCheck.NAME + "=MusicFS origins",
    HealthCheck.TAGS + "=origins" })
public class OriginsCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile HealthMonitor monitor;

    @Override
    public Result execute() {
        FormattingResultLog log = new FormattingResultLog();
        HealthMonitor health = monitor;
        if (health == null) {
            log.temporarilyUnavailable("the health monitor is not running");
            return new Result(log);
        }
        List<OriginHealth> origins = health.origins();
        if (origins.isEmpty()) {
            log.warn("no origin is configured");
            return new Result(log);
        }
        int unhealthy = 0;
        for (OriginHealth origin : origins) {
            String latency = origin.latency() == null ? "" : ", probe " + origin.latency().toMillis() + " ms";
            switch (origin.state()) {
                case HEALTHY -> log.info("origin {}: healthy{}", origin.originId(), latency);
                case UNKNOWN -> log.info("origin {}: not probed yet", origin.originId());
                case DEGRADED -> log.warn("origin {}: degraded since {}: {}", origin.originId(), origin.since(), origin.reason());
                case UNHEALTHY -> {
                    unhealthy++;
                    log.critical("origin {}: unhealthy since {}: {}", origin.originId(), origin.since(), origin.reason());
                }
            }
        }
        if (unhealthy == origins.size()) {
            log.critical("offline: no origin answers; only cached music is served");
        }
        return new Result(log);
    }
}
