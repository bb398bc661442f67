package io.musicfs.fuse.internal;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named fault points of the FUSE bridge, switched on by system properties for process-level tests
 * (resilience.md, "how to test it"). Off unless a property is set; when off every check is one
 * null or zero test.
 *
 * <ul>
 * <li>{@code musicfs.fault.fuse.readDelayMillis}: every read waits this long before it is served
 * (a slow origin), interruptibly, so a drain can be really in progress;</li>
 * <li>{@code musicfs.fault.fuse.stallWhile}: a file; while it exists every FUSE operation waits
 * (a stuck FUSE loop, for the watchdog).</li>
 * </ul>
 *
 * @param readDelayMillis delay before each read, 0 for none
 * @param stallWhile operations wait while this file exists, or {@code null}
 */
record FaultPoints(long readDelayMillis, Path stallWhile) {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FaultPoints.class);
    static final FaultPoints NONE = new FaultPoints(0, null);
    private static final long STALL_POLL_MILLIS = 50;

    static FaultPoints fromSystemProperties() {
        long delay = Long.getLong("musicfs.fault.fuse.readDelayMillis", 0L);
        String stall = System.getProperty("musicfs.fault.fuse.stallWhile");
        return new FaultPoints(delay, stall == null || stall.isBlank() ? null : Path.of(stall));
    }

    boolean active() {
        return readDelayMillis > 0 || stallWhile != null;
    }

    void beforeRead() throws InterruptedIOException {
        if (readDelayMillis > 0) {
            LOG.info("fault point: read delayed by {} ms", readDelayMillis);
            try {
                Thread.sleep(readDelayMillis);
            } catch (InterruptedException e) {
                throw new InterruptedIOException("read interrupted during the fault point's delay");
            }
        }
    }

    void beforeOperation() {
        if (stallWhile == null) {
            return;
        }
        while (Files.exists(stallWhile)) {
            try {
                Thread.sleep(STALL_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
