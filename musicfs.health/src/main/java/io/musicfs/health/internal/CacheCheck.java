package io.musicfs.health.internal;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Health check of the chunk cache, tag {@code cache}: WARN while reads pass straight through to the
 * origins (cache disk full, read-only or failing), since music then stops playing when an origin
 * goes away.
 */
@Component(service = HealthCheck.class, property = {
    HealthCheck.NAME + "=MusicFS cache",
    HealthCheck.TAGS + "=cache" })
public class CacheCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile CacheAdmin cache;

    @Override
    public Result execute() {
        FormattingResultLog log = new FormattingResultLog();
        CacheAdmin admin = cache;
        if (admin == null) {
            // the read path works without the admin service; only its numbers are missing
            log.info("the chunk cache reports no status (no CacheAdmin service)");
            return new Result(log);
        }
        CacheStatus status = admin.status();
        String usage = status.bytes() / (1024 * 1024) + " MiB of " + status.limitBytes() / (1024 * 1024) + " MiB";
        if (status.state() == CacheStatus.State.PASSTHROUGH) {
            log.warn("chunk cache passes reads through to the origins: {} ({})", status.reason(), usage);
        } else {
            log.info("chunk cache active: {}, hit ratio {}%", usage, Math.round(status.hitRatio() * 100));
        }
        return new Result(log);
    }
}
