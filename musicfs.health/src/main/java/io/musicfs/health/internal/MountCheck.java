package io.musicfs.health.internal;

import io.musicfs.api.mount.Mount;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Health check of the FUSE mount, tag {@code mount}: CRITICAL unless the tree is mounted. */
@Component(service = HealthCheck.class, property = {
    HealthCheck.NAME + "=MusicFS mount",
    HealthCheck.TAGS + "=mount" })
public class MountCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Mount mount;

    @Override
    public Result execute() {
        FormattingResultLog log = new FormattingResultLog();
        Mount fuse = mount;
        if (fuse == null) {
            log.critical("not mounted: the FUSE bridge is not running");
            return new Result(log);
        }
        Mount.State state = fuse.state();
        switch (state) {
            case MOUNTED -> log.info("mounted at {}, {} open files", fuse.mountPoint(), fuse.stats().openHandles());
            case FAILED -> log.critical("mounting {} failed: {}", fuse.mountPoint(), fuse.failure());
            default -> log.critical("not mounted: {} is {}", fuse.mountPoint(), state.name().toLowerCase());
        }
        return new Result(log);
    }
}
