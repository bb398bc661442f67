package io.musicfs.fuse.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel says is mounted ({@code /proc/self/mountinfo}), and the unmount command.
 * Stateless.
 */
final class MountTable {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** @return the file system type mounted exactly at {@code mountPoint}, or {@code null} when nothing is */
    static String mountedType(Path mountPoint) throws IOException {
        String wanted = mountPoint.toAbsolutePath().normalize().toString();
        String type = null;
        for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length > 4 && separator > 0 && separator + 1 < fields.length && unescape(fields[4]).equals(wanted)) {
                type = fields[separator + 1]; // the last mount on a path is the visible one
            }
        }
        return type;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Whether the FUSE file system at {@code mountPoint} lost its process ("Transport endpoint is
     * not connected"): a lookup of a name that cannot exist reaches the file system's process,
     * where a stat of the root may be answered from the kernel's cache. A live file system says
     * "no such file"; one that does not answer within the timeout counts as live (it is not ours
     * to remove).
     */
    static boolean isDisconnected(Path mountPoint, long timeoutMillis) {
        Path probe = mountPoint.resolve(".musicfs-stale-check-" + System.nanoTime());
        java.util.concurrent.CompletableFuture<Boolean> check = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                Files.readAttributes(probe, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                return false;
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            } catch (IOException e) {
                return String.valueOf(e.getMessage()).contains("not connected");
            }
        });
        try {
            return check.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Detaches the file system at {@code mountPoint} with {@code fusermount -u -z} (lazy: the kernel
     * finishes what is in flight and the mount point is free at once).
     *
     * @return whether fusermount succeeded within the timeout
     */
    static boolean unmount(Path mountPoint, long timeoutMillis) {
        try {
            Process process = new ProcessBuilder("fusermount", "-u", "-z", mountPoint.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
