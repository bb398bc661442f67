package io.musicfs.fuse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.Test;

class ReadFailuresTest {

    @Test
    void countsEveryFailureButLogsAtMostOneDetailPerWindow() {
        AtomicLong now = new AtomicLong(1_000);
        ReadFailures failures = new ReadFailures(now::get);
        TrackFile file = new TrackFile(2, "nas", "a.flac", 10, 0, null);
        for (int i = 0; i < 100; i++) {
            failures.failed("/A/a.flac", file, 0, 4096, new IOException("boom"));
        }
        assertEquals(100, failures.total());
        assertEquals(99, failures.suppressedInWindow());
        now.addAndGet(ReadFailures.WINDOW_NANOS);
        failures.failed("/A/a.flac", file, 0, 4096, new IOException("boom"));
        assertEquals(0, failures.suppressedInWindow(), "the next window opens with a summary of the last one");
    }
}
