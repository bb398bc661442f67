package io.musicfs.cas.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Logs a repeated warning at most once per {@link #INTERVAL_NANOS}; the others go to debug. One per
 * kind of failure of the cache itself (chunk writes, the manifest store), so a broken disk or database
 * gives one line a minute, not one per chunk.
 *
 * <p>Threading: lock-free, any thread.
 */
final class Throttle {

    /** At most one warning per this interval for a repeated failure; the rest go to debug. */
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Logger log;
    private final AtomicLong next = new AtomicLong(System.nanoTime());

    Throttle(Logger log) {
        this.log = log;
    }

    void warn(String format, Object... args) {
        long now = System.nanoTime();
        long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + INTERVAL_NANOS)) {
            log.warn(format, args);
        } else {
            log.debug(format, args);
        }
    }
}
