package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product as a user runs it: a generated library of real tagged audio (every format and
 * the hard cases), mounted by the real launcher through the real FUSE mount, read with ordinary
 * system calls and checked path by path, size by size and byte by byte against the truth; then
 * stopped, restarted, and checked again with the same inode numbers.
 */
class MountEndToEndIT {

    @TempDir
    Path tmp;
    Path music;
    Path cache;
    Path mountPoint;
    Corpus corpus;

    @BeforeEach
    void setUp() throws Exception {
        music = tmp.resolve("music");
        cache = tmp.resolve("cache");
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        corpus = CorpusGenerator.generate(music, CorpusSpec.of(300));
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.forceUnmount(mountPoint);
    }

    private Daemon start() throws Exception {
        return Daemon.start(List.of("mount", "--origin", music.toString(), "--cache", cache.toString(), mountPoint.toString()));
    }

    @Test
    void mountsTheLibraryByTagsAndServesItAgainAfterARestart() throws Exception {
        List<TruthEntry> truth = corpus.present();
        Map<String, MountedTree.Seen> first;
        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);
                first = MountedTree.assertMatches(mountPoint, truth);
                try (Daemon second = start()) {
                    assertEquals(1, second.awaitExit(60), second.output());
                    assertTrue(second.output().contains("musicfs: error: already running (PID " + daemon.pid() + ")"), second.output());
                }
                MountedTree.assertPaths(mountPoint, truth);
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
                assertFalse(Mounts.isMounted(mountPoint), "unmounted after SIGTERM");
            } finally {
                daemon.saveOutput("MountEndToEndIT-first");
            }
        }

        try (Daemon daemon = start()) {
            try {
                String serving = daemon.awaitLine(line -> line.startsWith("musicfs: serving "), 180);
                assertTrue(serving.startsWith("musicfs: serving " + truth.size() + " tracks"),
                        "the persisted tree is served at once, before any rescan: " + serving);
                Map<String, MountedTree.Seen> second = MountedTree.assertMatches(mountPoint, truth);
                assertEquals(first, second, "paths, sizes, inode numbers and mtimes are stable across restarts");
                daemon.signal("INT");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
                assertFalse(Mounts.isMounted(mountPoint), "unmounted after SIGINT");
            } finally {
                daemon.saveOutput("MountEndToEndIT-restart");
            }
        }
    }

    @Test
    void picksUpChangesWhileMountedAndAfterARestart() throws Exception {
        TruthEntry original = corpus.presentOf("bulk").get(0);
        Path source = music.resolve(original.sourcePath());
        String copyPath = withSuffix(original.virtualPath(), " (2)");
        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);
                assertTrue(Files.exists(mountPoint.resolve(original.virtualPath())));

                // The same tags in a new folder: a second file with the same path shows up as " (2)".
                Path copy = Files.createDirectories(music.resolve("zz new arrivals")).resolve("copy." + ext(original));
                Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                MountedTree.await(mountPoint, seen -> seen.containsKey(copyPath), 30, "the new file appearing");
                assertEquals(original.sha256(), MountedTree.sha256(mountPoint.resolve(copyPath)));

                // The original goes: the copy takes over the plain name.
                Files.delete(source);
                Map<String, MountedTree.Seen> seen = MountedTree.await(mountPoint,
                        s -> !s.containsKey(copyPath) && s.containsKey(original.virtualPath()), 30, "the deletion");
                assertEquals(original.sha256(), MountedTree.sha256(mountPoint.resolve(original.virtualPath())));
                assertEquals(truth().size(), seen.size());
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("MountEndToEndIT-changes");
            }
        }

        // Changed while not mounted: a file removed; the background sync after the restart sees it.
        TruthEntry gone = corpus.presentOf("bulk").get(1);
        Files.delete(music.resolve(gone.sourcePath()));
        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                MountedTree.await(mountPoint, s -> !s.containsKey(gone.virtualPath()), 120, "the delta sync removing " + gone.virtualPath());
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("MountEndToEndIT-delta");
            }
        }
    }

    private List<TruthEntry> truth() {
        return corpus.present();
    }

    private static String ext(TruthEntry entry) {
        String name = entry.sourcePath();
        return name.substring(name.lastIndexOf('.') + 1).toLowerCase();
    }

    private static String withSuffix(String virtualPath, String suffix) {
        int dot = virtualPath.lastIndexOf('.');
        return virtualPath.substring(0, dot) + suffix + virtualPath.substring(dot);
    }
}
