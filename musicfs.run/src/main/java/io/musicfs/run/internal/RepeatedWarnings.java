package io.musicfs.run.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.slf4j.Marker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Rate-limits repeated warnings and errors: the same message pattern from the same logger is let
 * through {@link #ALLOWED} times per {@link #WINDOW_NANOS}; the rest of the window is counted and
 * reported in one line when the next one comes through. A failing origin or disk then costs a few
 * lines a minute, not thousands. Info and below pass untouched. Thread-safe; monotonic clock.
 */
final class RepeatedWarnings extends TurboFilter {

    static final long WINDOW_NANOS = 60_000_000_000L;
    static final int ALLOWED = 5;
    /** patterns remembered at most; past that the table starts afresh (a leak guard, not a policy) */
    private static final int MAX_PATTERNS = 1_000;

    private final LongSupplier clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    RepeatedWarnings(LongSupplier clock) {
        this.clock = clock;
        setName("musicfs-repeated-warnings");
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || level == null || !level.isGreaterOrEqual(Level.WARN) || !logger.isEnabledFor(level)) {
            return FilterReply.NEUTRAL;
        }
        if (windows.size() > MAX_PATTERNS) {
            windows.clear();
        }
        Window window = windows.computeIfAbsent(logger.getName() + '\u0000' + format, k -> new Window(clock.getAsLong()));
        long now = clock.getAsLong();
        int suppressed = 0;
        synchronized (window) {
            if (now - window.start >= WINDOW_NANOS) {
                suppressed = window.suppressed;
                window.start = now;
                window.passed.set(0);
                window.suppressed = 0;
            }
            if (window.passed.incrementAndGet() > ALLOWED) {
                window.suppressed++;
                return FilterReply.DENY;
            }
        }
        if (suppressed > 0) {
            logger.warn("{} more like the next line were suppressed in the last minute", suppressed);
        }
        return FilterReply.NEUTRAL;
    }

    /** One pattern's current window; guarded by its monitor. */
    private static final class Window {
        long start;
        final AtomicInteger passed = new AtomicInteger();
        int suppressed;

        Window(long start) {
            this.start = start;
        }
    }
}
