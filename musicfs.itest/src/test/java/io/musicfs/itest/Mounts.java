package io.musicfs.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the kernel says is mounted, and how tests clean up after a daemon they killed. */
final class Mounts {

    private Mounts() {
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        String wanted = " " + mountPoint.toAbsolutePath().normalize() + " ";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            if (line.contains(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Lazily unmounts whatever is at {@code mountPoint}; for test clean-up only. */
    static void forceUnmount(Path mountPoint) throws IOException, InterruptedException {
        if (isMounted(mountPoint)) {
            new ProcessBuilder("fusermount", "-u", "-z", mountPoint.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            if (isMounted(mountPoint)) {
                new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs a command and returns its exit code, failing after a deadline. */
    static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command did not finish: " + String.join(" ", command));
        }
        return process.exitValue();
    }
}
