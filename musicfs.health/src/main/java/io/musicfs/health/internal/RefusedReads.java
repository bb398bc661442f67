package io.musicfs.health.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * Counts reads that no origin could be asked for (their origins are unhealthy: offline mode) and
 * logs them as one summary a minute, so an offline mount read by a player does not fill the log
 * with one error per read.
 *
 * <p>Guarded by its own monitor.
 */
final class RefusedReads {

    /** at most one summary per this many nanoseconds */
    static final long SUMMARY_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LongSupplier clock;
    private final Logger log;
    private final Map<String, Long> sinceSummary = new TreeMap<>();
    private long lastSummary;
    private boolean summarised;

    RefusedReads(LongSupplier clock, Logger log) {
        this.clock = clock;
        this.log = log;
    }

    /**
     * One read of a file of this origin was refused; logs the summary when a minute has passed.
     *
     * @return whether a summary was logged
     */
    synchronized boolean count(String originId) {
        sinceSummary.merge(originId, 1L, Long::sum);
        long now = clock.getAsLong();
        if (summarised && now - lastSummary < SUMMARY_EVERY_NANOS) {
            return false;
        }
        StringBuilder counts = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> entry : sinceSummary.entrySet()) {
            counts.append(counts.length() == 0 ? "" : ", ").append(entry.getKey()).append(": ").append(entry.getValue());
            total += entry.getValue();
        }
        log.warn("offline: {} read{} of uncached data refused since the last summary, their origins being unhealthy ({}); "
                + "cached music is still served; next summary in a minute at the earliest", total, total == 1 ? "" : "s", counts);
        sinceSummary.clear();
        lastSummary = now;
        summarised = true;
        return true;
    }
}
