package io.musicfs.api.mount;

import java.nio.file.Path;
import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/** The FUSE mount of the library, registered by the FUSE bridge as soon as it starts mounting. */
@ProviderType
public interface Mount {

    enum State {
        /** the kernel has not answered yet */
        MOUNTING,
        /** the tree is served */
        MOUNTED,
        /** mounting failed; {@link #failure()} says why */
        FAILED,
        /** unmounted (shutdown) */
        UNMOUNTED
    }

    /** @return the mount point */
    Path mountPoint();

    State state();

    /** @return why mounting failed, one line for the operator, or {@code null} */
    String failure();

    /**
     * Waits until the mount leaves {@link State#MOUNTING} or the timeout passes.
     *
     * @return the state then
     */
    State awaitSettled(Duration timeout) throws InterruptedException;

    /** @return open handles, operations in flight and per-operation counters now; cheap, never blocks */
    MountStats stats();

    /**
     * Starts the shutdown of the mount: from now on new FUSE operations fail at once with EIO;
     * operations in flight may finish until the timeout, then reads still waiting are interrupted
     * and answered with EIO. Does not unmount (deactivating the mount does).
     *
     * @return whether every operation in flight finished within the timeout
     * @since 1.2
     */
    boolean drain(Duration timeout) throws InterruptedException;
}
