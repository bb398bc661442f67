package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong input to the real launcher: each case gives exactly one clear error line naming the
 * culprit, a non-zero exit, no stack trace, and nothing left mounted.
 */
class BadInputIT {

    @TempDir
    Path tmp;
    Path music;
    Path cache;
    Path mountPoint;
    final List<Path> extraMounts = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        music = Files.createDirectories(tmp.resolve("music"));
        Files.writeString(music.resolve("a.txt"), "not music");
        cache = tmp.resolve("cache");
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Path p : extraMounts) {
            Mounts.run("umount", "-l", p.toString());
        }
        Mounts.forceUnmount(mountPoint);
    }

    @Test
    void missingOriginFolder(TestInfo info) throws Exception {
        Path missing = tmp.resolve("no-such-music");
        String error = failsWith(info, 1, args("--origin", missing.toString(), "--cache", cache.toString(), mountPoint.toString()));
        assertTrue(error.contains("does not exist") && error.contains(missing.toString()), error);
    }

    @Test
    void unwritableCacheFolder(TestInfo info) throws Exception {
        Files.createDirectories(cache);
        assertEquals(0, Mounts.run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", cache.toString()), "mount a read-only tmpfs");
        extraMounts.add(cache);
        String error = failsWith(info, 1, args("--origin", music.toString(), "--cache", cache.resolve("musicfs").toString(),
                mountPoint.toString()));
        assertTrue(error.contains("cache folder") && error.contains(cache.toString()), error);
    }

    @Test
    void mountPointThatDoesNotExist(TestInfo info) throws Exception {
        Path missing = tmp.resolve("no-such-mnt");
        String error = failsWith(info, 1, args("--origin", music.toString(), "--cache", cache.toString(), missing.toString()));
        assertTrue(error.contains("mount point " + missing + " does not exist"), error);
        assertFalse(Files.exists(missing));
    }

    @Test
    void mountPointAlreadyMounted(TestInfo info) throws Exception {
        assertEquals(0, Mounts.run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString()));
        extraMounts.add(mountPoint);
        String error = failsWith(info, 1, args("--origin", music.toString(), "--cache", cache.toString(), mountPoint.toString()));
        assertTrue(error.contains("already mounted"), error);
        assertTrue(Mounts.isMounted(mountPoint), "the tmpfs someone else mounted is left alone");
    }

    @Test
    void libfuseMissing(TestInfo info) throws Exception {
        // A private mount namespace in which libfuse.so.2 is /dev/null: dlopen fails as on a machine without it.
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2").toRealPath();
        String error = failsWith(info, 1, Daemon.start(args("--origin", music.toString(), "--cache", cache.toString(), mountPoint.toString()),
                "unshare", "-m", "--propagation", "private", "sh", "-c", "mount --bind /dev/null " + lib + " && exec \"$@\"", "sh"));
        assertTrue(error.contains("libfuse") && error.contains("apt-get install libfuse2"), error);
    }

    @Test
    void unknownOptionIsAUsageError(TestInfo info) throws Exception {
        try (Daemon daemon = Daemon.start(args("--orign", music.toString(), mountPoint.toString()))) {
            assertEquals(2, daemon.awaitExit(60), daemon.output());
            assertTrue(daemon.output().contains("unknown option '--orign'"), daemon.output());
        }
    }

    private static List<String> args(String... rest) {
        List<String> args = new ArrayList<>(List.of("mount"));
        args.addAll(List.of(rest));
        return args;
    }

    private String failsWith(TestInfo info, int exitCode, List<String> args) throws Exception {
        return failsWith(info, exitCode, Daemon.start(args));
    }

    /** @return the one error line */
    private String failsWith(TestInfo info, int exitCode, Daemon started) throws Exception {
        try (Daemon daemon = started) {
            int rc = daemon.awaitExit(120);
            daemon.saveOutput("BadInputIT-" + info.getTestMethod().orElseThrow().getName());
            List<String> errors = daemon.lines().stream().filter(l -> l.startsWith("musicfs: error:")).toList();
            assertEquals(exitCode, rc, daemon.output());
            assertEquals(1, errors.size(), "exactly one error line:\n" + daemon.output());
            assertFalse(daemon.output().contains("\tat "), "no stack trace:\n" + daemon.output());
            assertFalse(Mounts.isMounted(mountPoint) && !extraMounts.contains(mountPoint), "nothing left mounted");
            return errors.get(0);
        }
    }
}
