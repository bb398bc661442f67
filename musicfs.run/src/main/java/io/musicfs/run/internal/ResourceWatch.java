package io.musicfs.run.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.musicfs.api.cache.CacheAdmin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the process's file descriptors and memory (resilience.md 5.3, 5.5): warns when the
 * descriptors in use pass 80% of the limit and again at 95% (where read-ahead and prefetch are shed), and when
 * the heap or the cgroup's memory passes 80% of its limit. One line when a level is crossed and
 * one when it is left, not one per check. Runs as a supervised task; the monotonic clock paces it.
 */
final class ResourceWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceWatch.class);
    static final long INTERVAL_MILLIS = 10_000;
    static final double WARN = 0.80;
    static final double SHED = 0.95;
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final Path LIMITS = Path.of("/proc/self/limits");
    private static final Path CGROUP_MAX = Path.of("/sys/fs/cgroup/memory.max");
    private static final Path CGROUP_CURRENT = Path.of("/sys/fs/cgroup/memory.current");

    private final Supplier<CacheAdmin> cache;
    private final java.util.function.LongSupplier fdLimit;
    private final java.util.function.LongSupplier fdsInUse;
    private int fdLevel;
    private boolean heapHigh;
    private boolean cgroupHigh;

    ResourceWatch(Supplier<CacheAdmin> cache) {
        this(cache, ResourceWatch::openFilesLimit, ResourceWatch::openDescriptors);
    }

    /** With the descriptor readings given (tests); the memory readings are the process's own. */
    ResourceWatch(Supplier<CacheAdmin> cache, java.util.function.LongSupplier fdLimit, java.util.function.LongSupplier fdsInUse) {
        this.cache = cache;
        this.fdLimit = fdLimit;
        this.fdsInUse = fdsInUse;
    }

    void run() throws InterruptedException {
        while (true) {
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
            check();
            TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        }
    }

    void check() {
        checkDescriptors();
        checkHeap();
        checkCgroup();
    }

    private void checkDescriptors() {
        long limit = fdLimit.getAsLong();
        long used = fdsInUse.getAsLong();
        if (limit <= 0 || used < 0) {
            return;
        }
        double share = (double) used / limit;
        int level = share >= SHED ? 2 : share >= WARN ? 1 : 0;
        CacheAdmin admin = cache.get();
        if (level > fdLevel) {
            if (level == 2) {
                String reason = "file descriptors: " + used + " of " + limit + " in use (" + Math.round(share * 100) + "%)";
                if (admin != null) {
                    admin.shedPrefetch(reason);
                }
                LOG.error("{}; {}", reason, admin != null ? "read-ahead and prefetch stopped until it drops; raise LimitNOFILE (ulimit -n)"
                        : "raise LimitNOFILE (ulimit -n)");
            } else {
                LOG.warn("file descriptors: {} of {} in use ({}%); raise LimitNOFILE (ulimit -n) before reads start failing", used, limit,
                        Math.round(share * 100));
            }
        } else if (level < fdLevel) {
            if (fdLevel == 2 && admin != null) {
                admin.shedPrefetch(null);
            }
            if (level == 0) {
                LOG.info("file descriptors: back to {} of {} in use", used, limit);
            }
        }
        fdLevel = level;
    }

    private void checkHeap() {
        Runtime runtime = Runtime.getRuntime();
        long max = runtime.maxMemory();
        long used = runtime.totalMemory() - runtime.freeMemory();
        boolean high = max > 0 && max != Long.MAX_VALUE && used >= WARN * max;
        if (high && !heapHigh) {
            LOG.warn("memory: heap {} MiB of {} MiB in use ({}%)", used >> 20, max >> 20, Math.round(100.0 * used / max));
        } else if (!high && heapHigh) {
            LOG.info("memory: heap back to {} MiB of {} MiB", used >> 20, max >> 20);
        }
        heapHigh = high;
    }

    private void checkCgroup() {
        long max = readLong(CGROUP_MAX);
        long current = readLong(CGROUP_CURRENT);
        if (max <= 0 || current < 0) {
            return;
        }
        boolean high = current >= WARN * max;
        if (high && !cgroupHigh) {
            LOG.warn("memory: {} MiB of the service's MemoryMax {} MiB in use ({}%)", current >> 20, max >> 20,
                    Math.round(100.0 * current / max));
        }
        cgroupHigh = high;
    }

    /** @return the soft limit of open files, or -1 when unknown or unlimited */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(LIMITS, StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                    return fields[0].equals("unlimited") ? -1 : Long.parseLong(fields[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** @return descriptors open now, or -1 when they cannot be counted (counting needs one itself) */
    static long openDescriptors() {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path ignored : fds) {
                n++;
            }
        } catch (IOException e) {
            return -1;
        }
        return n;
    }

    private static long readLong(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.equals("max") ? -1 : Long.parseLong(text);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
