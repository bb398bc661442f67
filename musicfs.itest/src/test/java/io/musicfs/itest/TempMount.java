package io.musicfs.itest;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test's temporary folder and the mount point a daemon uses in it, unmounted after the test whatever happened. */
abstract class TempMount {

    @TempDir
    Path tmp;
    Path mountPoint;

    @AfterEach
    void unmountLeftovers() throws Exception {
        if (mountPoint != null) {
            Mounts.forceUnmount(mountPoint);
        }
    }
}
