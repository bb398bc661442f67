package io.musicfs.itest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.musicfs.testkit.corpus.TruthEntry;

/** Reads a mounted tree with ordinary system calls and compares it with the corpus truth. */
final class MountedTree {

    /** What the mount showed for one file. */
    record Seen(long size, long inode, long mtimeMillis) {
    }

    private MountedTree() {
    }

    /** @return every regular file under the mount point by relative path (readdir, stat) */
    static Map<String, Seen> list(Path mountPoint) throws IOException {
        Map<String, Seen> files = new TreeMap<>();
        Files.walkFileTree(mountPoint, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
                files.put(mountPoint.relativize(file).toString(), new Seen(attrs.size(), inode, attrs.lastModifiedTime().toMillis()));
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /**
     * Asserts that the mount shows exactly the truth's files, each with its size, and that the bytes
     * read through the mount (open, read, close) hash to the truth's SHA-256.
     *
     * @return what the mount showed
     */
    static Map<String, Seen> assertMatches(Path mountPoint, List<TruthEntry> truth) throws IOException {
        Map<String, Seen> seen = assertPaths(mountPoint, truth);
        assertBytes(mountPoint, truth);
        return seen;
    }

    /** Asserts that the mount lists exactly the truth's files with the truth's sizes (readdir and stat only). */
    static Map<String, Seen> assertPaths(Path mountPoint, List<TruthEntry> truth) throws IOException {
        Map<String, Seen> seen = list(mountPoint);
        TreeSet<String> expected = new TreeSet<>();
        truth.forEach(t -> expected.add(t.virtualPath()));
        assertEquals(String.join("\n", expected), String.join("\n", seen.keySet()), "the paths the mount shows");
        for (TruthEntry entry : truth) {
            assertEquals(entry.size(), seen.get(entry.virtualPath()).size(), "size of " + entry.virtualPath());
        }
        return seen;
    }

    /** Asserts that the bytes read through the mount (open, read, close) hash to the truth's SHA-256. */
    static void assertBytes(Path mountPoint, List<TruthEntry> truth) throws IOException {
        for (TruthEntry entry : truth) {
            assertEquals(entry.sha256(), sha256(mountPoint.resolve(entry.virtualPath())),
                    "bytes of " + entry.virtualPath() + " (from " + entry.sourcePath() + ")");
        }
    }

    /** Plain assertion, so these helpers also run inside the OSGi framework of the Pax Exam tests. */
    static void assertEquals(Object expected, Object actual, String what) {
        if (!java.util.Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[128 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Polls the mount until {@code condition} holds for its listing, up to the deadline. */
    static Map<String, Seen> await(Path mountPoint, Predicate<Map<String, Seen>> condition, long timeoutSeconds, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Map<String, Seen> seen = list(mountPoint);
        while (!condition.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + timeoutSeconds + " s; the mount shows " + seen.keySet());
            }
            Thread.sleep(100); // polling interval of a condition with a deadline, not a synchronisation delay
            seen = list(mountPoint);
        }
        return seen;
    }
}
