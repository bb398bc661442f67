package io.musicfs.health.internal;

import io.musicfs.api.library.Library;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TreeSnapshot;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Health check of the catalog, tag {@code catalog}: WARN when the last sync of an origin failed
 * (the tree then shows what was known before), TEMPORARILY_UNAVAILABLE while the catalog is not
 * running.
 */
@Component(service = HealthCheck.class, property = {
    HealthCheck.NAME + "=MusicFS catalog",
    HealthCheck.TAGS + "=catalog" })
public class CatalogCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Library library;

    @Override
    public Result execute() {
        FormattingResultLog log = new FormattingResultLog();
        Library catalog = library;
        if (catalog == null) {
            log.temporarilyUnavailable("the catalog is not running");
            return new Result(log);
        }
        TreeSnapshot tree = catalog.tree();
        if (tree != null) {
            log.info("{} tracks in the tree", tree.trackCount());
        }
        for (SyncState sync : catalog.syncStates()) {
            if (sync.lastError() != null) {
                log.warn("origin {}: last sync failed: {}", sync.originId(), sync.lastError());
            } else if (sync.running()) {
                log.info("origin {}: syncing, {} files listed so far", sync.originId(), sync.filesSeen());
            } else {
                log.info("origin {}: {} files, {} syncs done", sync.originId(), sync.filesSeen(), sync.completedSyncs());
            }
        }
        return new Result(log);
    }
}
