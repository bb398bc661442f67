package io.musicfs.fuse.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.library.TrackFile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs reads that failed with EIO without flooding the log: the first failure in a window is
 * logged in full, the rest of the window is counted and summed up in one line when the next
 * window opens. Thread-safe.
 */
final class ReadFailures {

    private static final Logger LOG = LoggerFactory.getLogger(ReadFailures.class);
    /** length of one logging window: one detailed line plus one summary line at most per window */
    static final long WINDOW_NANOS = 60_000_000_000L;

    private final LongSupplier clock;
    private final AtomicLong windowStart = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong total = new AtomicLong();

    ReadFailures(LongSupplier clock) {
        this.clock = clock;
    }

    void failed(String path, TrackFile file, long offset, long size, Throwable error) {
        total.incrementAndGet();
        long now = clock.getAsLong();
        long start = windowStart.get();
        if (start != Long.MIN_VALUE && now - start < WINDOW_NANOS) {
            suppressed.incrementAndGet();
            return;
        }
        if (!windowStart.compareAndSet(start, now)) {
            suppressed.incrementAndGet();
            return;
        }
        long earlier = suppressed.getAndSet(0);
        if (earlier > 0) {
            LOG.warn("{} more reads failed with EIO in the last minute", earlier);
        }
        String cause = error instanceof ContentUnavailableException ? error.getMessage() : error.toString();
        LOG.warn("read of {} (origin {}, {}) at offset {} size {} failed with EIO: {}", path, file.originId(), file.path(),
                offset, size, cause, error instanceof ContentUnavailableException ? null : error);
    }

    long total() {
        return total.get();
    }

    /** @return failures of the current window not logged in detail yet */
    long suppressedInWindow() {
        return suppressed.get();
    }
}
