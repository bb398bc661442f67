package io.musicfs.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

import org.junit.jupiter.api.Test;

class OriginRoutesTest {

    final AtomicLong now = new AtomicLong();
    final OriginRoutes routes = new OriginRoutes(now::get);
    final Origin nas = origin("nas");

    @Test
    void routesToTheHoldingOriginWhileItIsThere() {
        TrackFile file = new TrackFile(1, "nas", "a.flac", 10, 0, null);
        assertEquals(List.of(), routes.route(file));
        routes.addOrigin(nas);
        assertEquals(List.of(nas), routes.route(file));
        routes.removeOrigin(nas);
        assertEquals(List.of(), routes.route(file));
    }

    @Test
    void aStaleRemovalDoesNotDropTheReplacement() {
        Origin updated = origin("nas");
        routes.addOrigin(nas);
        routes.addOrigin(updated);
        routes.removeOrigin(nas);
        assertEquals(List.of(updated), routes.route(new TrackFile(1, "nas", "a.flac", 10, 0, null)));
    }

    @Test
    void breakerTripsAfterConsecutiveFailuresAndCoolsDown() {
        OriginRoutes.OriginRecord record = new OriginRoutes.OriginRecord();
        assertEquals(false, record.report(false, 0, 0));
        assertEquals(false, record.report(true, 0, 0));
        record.report(false, 0, 0);
        record.report(false, 0, 0);
        assertEquals(true, record.report(false, 0, 10));
        assertEquals(true, record.tripped(10 + OriginRoutes.COOL_DOWN_NANOS - 1));
        assertEquals(false, record.tripped(10 + OriginRoutes.COOL_DOWN_NANOS));
        record.report(true, 0, 20);
        assertEquals(false, record.tripped(21));
    }

    static Origin origin(String id) {
        return new Origin() {
            public String id() { return id; }
            public String type() { return "local"; }
            public int priority() { return 1; }
            public boolean remote() { return false; }
            public void walk(OriginVisitor visitor) { }
            public OriginEntry stat(String path) throws IOException { throw new IOException("unused"); }
            public int read(String path, long offset, ByteBuffer dst) { return -1; }
            public void probe() { }
        };
    }
}
