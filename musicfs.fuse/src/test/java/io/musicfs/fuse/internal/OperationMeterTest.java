package io.musicfs.fuse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import io.musicfs.api.mount.OperationStats;
import io.musicfs.fuse.internal.OperationMeter.Op;

import org.junit.jupiter.api.Test;

import ru.serce.jnrfuse.ErrorCodes;

class OperationMeterTest {

    @Test
    void countsCallsErrorsAndLatencyPerOperationButNotMissingFilesAsErrors() {
        OperationMeter meter = new OperationMeter();
        long a = meter.start();
        long b = meter.start();
        assertEquals(2, meter.inFlight());
        assertEquals(0, meter.end(Op.READ, a, 0));
        assertEquals(-ErrorCodes.EIO(), meter.end(Op.READ, b, -ErrorCodes.EIO()));
        meter.end(Op.GETATTR, meter.start(), -ErrorCodes.ENOENT());
        meter.start();
        meter.end(Op.GETATTR, System.nanoTime() - 3_000_000_000L, 0);   // a call that took 3 s

        assertEquals(0, meter.inFlight(), "ended calls leave flight");
        List<OperationStats> stats = meter.snapshot();
        assertEquals(List.of("getattr", "read"), stats.stream().map(OperationStats::operation).toList());
        OperationStats getattr = stats.get(0);
        assertEquals(2, getattr.count());
        assertEquals(0, getattr.errors(), "ENOENT is an answer, not an error");
        assertEquals(2, Arrays.stream(getattr.bucketCounts()).sum());
        int fiveSeconds = Arrays.binarySearch(OperationStats.BUCKET_BOUNDS_SECONDS, 5.0);
        assertEquals(1, getattr.bucketCounts()[fiveSeconds], "the 3 s call lands in the bucket up to 5 s");
        assertEquals(1, stats.get(1).errors());
    }
}
