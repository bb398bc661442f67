package io.musicfs.run.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.mount.Mount;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered shutdown (resilience.md 2.1, 2.3): drain the FUSE operations, then stop the bundles
 * in the order that keeps state safe (control plane, catalog with its sync, watchers and database,
 * health monitor, cache with its prefetch and writer, origins), then the FUSE bridge, which
 * unmounts. Each step is timed and logged; the launcher stops the framework afterwards.
 *
 * <p>A guard thread ends the process if the whole sequence overruns the drain timeout plus
 * {@link #MARGIN}: an emergency unmount, then halt. Runs on the launcher's main thread.
 */
final class OrderedShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(OrderedShutdown.class);
    /** what the steps after the drain may take together before the guard ends the process */
    static final Duration MARGIN = Duration.ofSeconds(4);
    /** bundles stopped one after another, by symbolic name prefix, before the FUSE bridge */
    private static final List<String[]> ORDER = List.of(
            new String[] {"musicfs.control", "control plane"},
            new String[] {"musicfs.catalog", "sync, watchers and catalog database"},
            new String[] {"musicfs.health", "health monitor"},
            new String[] {"musicfs.cas", "chunk cache and prefetch"},
            new String[] {"musicfs.origin.", "origins"},
            new String[] {"musicfs.fuse", "the FUSE bridge (unmounted)"});

    private OrderedShutdown() {
    }

    /**
     * Runs the sequence.
     *
     * @param mount the mount, or {@code null} when it never came up
     * @return whether every step finished in time
     */
    static boolean run(BundleContext context, Mount mount, Duration drain, String reason) {
        long start = System.nanoTime();
        LOG.info("shutting down ({}): draining FUSE operations for at most {} s", reason, drain.toSeconds());
        boolean clean = true;
        if (mount != null) {
            long stepStart = System.nanoTime();
            try {
                boolean drained = mount.drain(drain);
                clean = drained;
                LOG.info("shutdown: drain {} in {} ms", drained ? "finished" : "timed out", millisSince(stepStart));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (RuntimeException e) {
                LOG.error("shutdown: drain failed: {}; going on", e.toString(), e);
                clean = false;
            }
        }
        for (String[] step : ORDER) {
            clean &= stopBundles(context, step[0], step[1]);
        }
        LOG.info("shutdown: done in {} ms; stopping the framework", millisSince(start));
        return clean;
    }

    private static boolean stopBundles(BundleContext context, String prefix, String what) {
        List<Bundle> bundles = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            if (name != null && (name.equals(prefix) || prefix.endsWith(".") && name.startsWith(prefix)) && bundle.getState() == Bundle.ACTIVE) {
                bundles.add(bundle);
            }
        }
        if (bundles.isEmpty()) {
            return true;
        }
        long start = System.nanoTime();
        boolean clean = true;
        for (Bundle bundle : bundles) {
            try {
                bundle.stop(Bundle.STOP_TRANSIENT);
            } catch (BundleException | RuntimeException e) {
                LOG.error("shutdown: stopping {} failed: {}; going on", bundle.getSymbolicName(), e.toString(), e);
                clean = false;
            }
        }
        LOG.info("shutdown: stopped {} in {} ms", what, millisSince(start));
        return clean;
    }

    /**
     * Ends the process if the shutdown overruns: unmounts lazily, then halts with {@code exitCode}.
     *
     * @return the guard thread (a daemon thread; the process ending normally ends it)
     */
    static Thread guard(Duration drain, Path mountPoint, int exitCode) {
        long deadline = System.nanoTime() + drain.plus(MARGIN).toNanos();
        Thread guard = new Thread(() -> {
            try {
                while (System.nanoTime() < deadline) {
                    TimeUnit.NANOSECONDS.sleep(deadline - System.nanoTime()); // a deadline, not a synchronisation
                }
            } catch (InterruptedException e) {
                return;
            }
            LOG.error("shutdown did not finish within {} s; unmounting and exiting now", drain.plus(MARGIN).toSeconds());
            exitNow(mountPoint, exitCode);
        }, "musicfs-shutdown-guard");
        guard.setDaemon(true);
        guard.start();
        return guard;
    }

    /**
     * Exits at once: unmounts, then halts, running no more shutdown code. The unmount is forced
     * where the process may ({@code umount -f -l}: the kernel aborts the FUSE connection, so no
     * request waits on this dying process, not even one of its own threads), else lazy
     * ({@code fusermount -u -z}).
     */
    static void exitNow(Path mountPoint, int exitCode) {
        if (mountPoint != null && !run("umount", "-f", "-l", mountPoint.toString()) && !run("fusermount", "-u", "-z", mountPoint.toString())) {
            LOG.error("emergency unmount of {} failed; run: fusermount -uz {}", mountPoint, mountPoint);
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exitCode);
    }

    private static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
