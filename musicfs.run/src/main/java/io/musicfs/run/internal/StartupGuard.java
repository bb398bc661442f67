package io.musicfs.run.internal;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Checks, before the rest of the runtime starts (this bundle starts at level 1), that the process
 * may open enough files: the framework unpacks and opens the bundles' embedded jars and the catalog
 * keeps its database files open, about 200 descriptors before the first read. Below
 * {@link #MINIMUM} the daemon would die half-started with a stack trace from deep inside the
 * framework; instead it says what is wrong and exits 1 (resilience.md 5.3). Between the minimum
 * and {@link #COMFORTABLE} it starts and warns; the {@link ResourceWatch} watches the rest of the
 * run.
 */
public final class StartupGuard implements BundleActivator {

    /** fewer descriptors than this cannot start the runtime */
    static final long MINIMUM = 256;
    /** fewer than this starts, but a large library or many readers may run out */
    static final long COMFORTABLE = 1024;

    @Override
    public void start(BundleContext context) {
        long limit = ResourceWatch.openFilesLimit();
        if (limit > 0 && limit < MINIMUM) {
            System.err.println("musicfs: error: the limit of open files is " + limit + "; MusicFS needs at least " + MINIMUM
                    + " (" + COMFORTABLE + " or more recommended): raise it with 'ulimit -n " + COMFORTABLE
                    + "' or LimitNOFILE= in the systemd unit");
            System.err.flush();
            Runtime.getRuntime().halt(1); // nothing is mounted or written yet; stopping the framework would need more files
        }
        if (limit > 0 && limit < COMFORTABLE) {
            System.err.println("musicfs: warning: the limit of open files is " + limit + "; " + COMFORTABLE
                    + " or more is recommended (ulimit -n, LimitNOFILE=)");
        }
    }

    @Override
    public void stop(BundleContext context) {
        // nothing to undo
    }
}
