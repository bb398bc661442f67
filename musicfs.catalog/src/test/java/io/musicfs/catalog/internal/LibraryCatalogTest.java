package io.musicfs.catalog.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.musicfs.api.library.SyncState;
import io.musicfs.catalog.internal.path.LibraryLayout;
import io.musicfs.catalog.internal.tags.DirectoryOrigin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog component on a real Derby database and a real folder: the persisted tree is served
 * at activation, origins that cannot push changes are polled, an origin that goes away keeps its
 * tracks, and an origin that is no longer configured loses them.
 */
class LibraryCatalogTest {

    @TempDir
    Path tmp;
    LibraryCatalog catalog;

    @AfterEach
    void tearDown() {
        if (catalog != null) {
            catalog.deactivate();
        }
    }

    LibraryCatalog activate(int pollSeconds, String... origins) throws Exception {
        LibraryCatalog c = new LibraryCatalog();
        c.activate(config(tmp.resolve("cache/catalog").toString(), pollSeconds, origins));
        return c;
    }

    static LibraryCatalog.Config config(String databaseDir, int pollSeconds, String... origins) {
        return new LibraryCatalog.Config() {
            public Class<? extends Annotation> annotationType() { return LibraryCatalog.Config.class; }
            public String databaseDir() { return databaseDir; }
            public String[] origins() { return origins; }
            public String path_default() { return LibraryLayout.DEFAULT_PATTERN; }
            public String path_compilation() { return LibraryLayout.COMPILATION_PATTERN; }
            public String path_untagged() { return LibraryLayout.UNTAGGED_PATTERN; }
            public int tagThreads() { return 2; }
            public int pollIntervalSeconds() { return pollSeconds; }
        };
    }

    @Test
    void pollsAnOriginThatCannotPushAndKeepsItsTracksWhenItGoes() throws Exception {
        Path music = Files.createDirectories(tmp.resolve("music"));
        Files.writeString(music.resolve("one.flac"), "not really audio");   // listed untagged
        Files.writeString(music.resolve("two.mp3"), "not really audio");
        DirectoryOrigin origin = new DirectoryOrigin("music", music);

        catalog = activate(1, "music");
        assertEquals(0, catalog.tree().trackCount());
        catalog.addOrigin(origin);
        await(() -> catalog.tree().trackCount() == 2, "the first sync");
        assertNotNull(catalog.tree().lookup("/Unknown Artist/Unknown Album/one.flac"));
        assertEquals(1, catalog.syncState("music").completedSyncs());

        Files.writeString(music.resolve("three.ogg"), "not really audio");
        await(() -> catalog.tree().trackCount() == 3, "a poll finding the new file");

        catalog.removeOrigin(origin);
        assertEquals(3, catalog.tree().trackCount(), "an origin that goes away keeps its tracks listed");
        catalog.deactivate();

        catalog = activate(1, "music");
        assertEquals(3, catalog.tree().trackCount(), "the persisted tree is served at activation, before any sync");
        catalog.deactivate();

        catalog = activate(1, "elsewhere");
        assertEquals(0, catalog.tree().trackCount(), "an origin no longer configured loses its tracks");
    }

    @Test
    void rescanSyncsAnOriginOnRequestAndSyncStatesFollowTheConfiguredOrder() throws Exception {
        Path music = Files.createDirectories(tmp.resolve("music"));
        Files.writeString(music.resolve("one.flac"), "not really audio");
        DirectoryOrigin origin = new DirectoryOrigin("music", music);
        catalog = activate(0, "music", "absent");   // no polling: only a rescan finds new files
        catalog.addOrigin(origin);
        await(() -> catalog.tree().trackCount() == 1, "the first sync");
        await(() -> catalog.syncState("music").completedSyncs() == 1 && !catalog.syncState("music").running(), "the first sync's end");

        Files.writeString(music.resolve("two.flac"), "not really audio");
        assertTrue(catalog.rescan("music"));
        await(() -> catalog.tree().trackCount() == 2, "the rescan finding the new file");
        assertFalse(catalog.rescan("absent"), "a configured origin without a service cannot be rescanned");
        assertFalse(catalog.rescan("nowhere"));

        assertEquals(List.of("music", "absent"), catalog.syncStates().stream().map(SyncState::originId).toList());
        assertEquals("origin not available", catalog.syncStates().get(1).lastError());
    }

    @Test
    void aSyncCutShortByTheCatalogsStopIsStoppedNotFailed() throws Exception {
        Path music = Files.createDirectories(tmp.resolve("music"));
        java.util.concurrent.CountDownLatch walking = new java.util.concurrent.CountDownLatch(1);
        DirectoryOrigin origin = new DirectoryOrigin("music", music) {
            @Override
            public void walk(io.musicfs.api.origin.OriginVisitor visitor) throws java.io.IOException {
                walking.countDown();
                try {
                    new java.util.concurrent.CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    // what the database says when the stop interrupts its thread: a plain I/O error
                    throw new java.io.IOException("08000 Connection closed by unknown interrupt.");
                }
            }
        };
        catalog = activate(0, "music");
        catalog.addOrigin(origin);
        assertTrue(walking.await(10, TimeUnit.SECONDS), "the sync started");

        catalog.deactivate();

        assertEquals("interrupted", catalog.syncState("music").lastError(), "a stop, not a failure of the origin");
        catalog = null;
    }

    @Test
    void badConfigurationNamesTheProperty() {
        LibraryCatalog c = new LibraryCatalog();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.activate(config(" ", 1)))
                .getMessage().startsWith("databaseDir:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.activate(config(tmp.toString(), -1)))
                .getMessage().startsWith("pollIntervalSeconds:"));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within 30 s");
            }
            Thread.sleep(20); // polling a condition with a deadline
        }
    }
}
