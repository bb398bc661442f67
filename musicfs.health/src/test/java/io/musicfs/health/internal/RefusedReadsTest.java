package io.musicfs.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RefusedReadsTest {

    @Test
    void offlineReadsAreSummarisedOnceAMinute() {
        AtomicLong now = new AtomicLong(1);
        RefusedReads refused = new RefusedReads(now::get, LoggerFactory.getLogger(RefusedReadsTest.class));
        assertEquals(true, refused.count("nas"), "the first refusal is reported at once");
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(1_000_000);
            assertEquals(false, refused.count(i % 2 == 0 ? "nas" : "bucket"));
        }
        now.set(1 + RefusedReads.SUMMARY_EVERY_NANOS);
        assertEquals(true, refused.count("nas"), "then one summary a minute");
    }
}
