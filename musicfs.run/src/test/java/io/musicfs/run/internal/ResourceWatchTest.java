package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.Progress;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The descriptor thresholds: one line when 80% and 95% are crossed, one when back below 80%, nothing in between. */
class ResourceWatchTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceWatch.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    ResourceWatchTest() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    private List<String> fdLines() {
        return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).filter(l -> l.contains("file descriptors")).toList();
    }

    @Test
    void warnsAt80ShedsAt95AndSaysWhenBack() {
        AtomicLong used = new AtomicLong(100);
        ResourceWatch watch = new ResourceWatch(() -> null, () -> 1000, used::get);
        watch.check();
        assertEquals(List.of(), fdLines(), "50% is fine");
        used.set(800);
        watch.check();
        watch.check();
        used.set(950);
        watch.check();
        watch.check();
        used.set(500);
        watch.check();
        List<String> seen = fdLines();
        assertEquals(3, seen.size(), String.join("\n", seen));
        assertTrue(seen.get(0).startsWith("WARN file descriptors: 800 of 1000 in use (80%)"), seen.get(0));
        assertTrue(seen.get(1).startsWith("ERROR file descriptors: 950 of 1000 in use (95%)"), seen.get(1));
        assertTrue(seen.get(2).startsWith("INFO file descriptors: back to 500 of 1000"), seen.get(2));
    }

    @Test
    void shedsReadAheadAndPrefetchAt95AndLetsThemRunBelowIt() {
        AtomicLong used = new AtomicLong(100);
        List<String> calls = new java.util.ArrayList<>();
        CacheAdmin cache = new CacheAdmin() {
            public CacheStatus status() { throw new UnsupportedOperationException(); }
            public VerifyReport verify(boolean all, Progress progress) { throw new UnsupportedOperationException(); }
            public long clear(String originId) { throw new UnsupportedOperationException(); }
            public PrefetchReport prefetch(List<TrackFile> files, Progress progress) { throw new UnsupportedOperationException(); }
            public void shedPrefetch(String reason) { calls.add(String.valueOf(reason)); }
        };
        ResourceWatch watch = new ResourceWatch(() -> cache, () -> 1000, used::get);
        watch.check();
        used.set(960);
        watch.check();
        watch.check();
        used.set(850);
        watch.check();
        assertEquals(List.of("file descriptors: 960 of 1000 in use (96%)", "null"), calls);
        assertTrue(fdLines().get(0).contains("read-ahead and prefetch stopped until it drops"), fdLines().get(0));
    }

    @Test
    void readsThisProcesssLimitAndDescriptors() {
        assertTrue(ResourceWatch.openFilesLimit() > 0 || ResourceWatch.openFilesLimit() == -1);
        assertTrue(ResourceWatch.openDescriptors() > 2, "stdin, stdout, stderr at least");
    }
}
