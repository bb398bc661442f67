package io.musicfs.origin.local.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.origin.OriginChange;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;
import io.musicfs.api.origin.OriginWatch;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalOriginTest {

    @TempDir
    Path dir;
    LocalOrigin origin;
    byte[] big;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("Artist/Album"));
        big = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        Files.write(dir.resolve("Artist/Album/01 big.flac"), big);
        Files.writeString(dir.resolve("Artist/Album/02 ünïcødé 日本.mp3"), "hello");
        Files.createSymbolicLink(dir.resolve("linked"), dir.resolve("Artist"));
        Files.createSymbolicLink(dir.resolve("Artist/loop"), dir.resolve("Artist"));
        origin = activate("music", 3, dir.toString());
    }

    static LocalOrigin activate(String id, int priority, String path) {
        LocalOrigin origin = new LocalOrigin();
        origin.activate(new LocalOrigin.Config() {
            public Class<? extends Annotation> annotationType() { return LocalOrigin.Config.class; }
            public String origin_id() { return id; }
            public int origin_priority() { return priority; }
            public String path() { return path; }
        });
        return origin;
    }

    @Test
    void walkListsEveryFileFollowsLinksAndReportsLoops() throws IOException {
        Map<String, OriginEntry> files = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        origin.walk(new OriginVisitor() {
            public void file(OriginEntry entry) { files.put(entry.path(), entry); }
            public void problem(String path, IOException cause) { problems.add(path); }
        });
        assertEquals(List.of("Artist/Album/01 big.flac", "Artist/Album/02 ünïcødé 日本.mp3",
                "linked/Album/01 big.flac", "linked/Album/02 ünïcødé 日本.mp3"), new ArrayList<>(files.keySet()));
        assertEquals(big.length, files.get("Artist/Album/01 big.flac").size());
        assertTrue(problems.contains("Artist/loop") || problems.contains("linked/loop"), "loop reported: " + problems);
    }

    @Test
    void readsRangesAtStartMiddleEndAndPastTheEnd() throws IOException {
        String path = "Artist/Album/01 big.flac";
        assertArrayEquals(Arrays.copyOfRange(big, 0, 4096), read(path, 0, 4096));
        assertArrayEquals(Arrays.copyOfRange(big, 1_000_000, 1_131_072), read(path, 1_000_000, 131_072));
        assertArrayEquals(Arrays.copyOfRange(big, big.length - 100, big.length), read(path, big.length - 100, 4096));
        assertEquals(-1, origin.read(path, big.length, ByteBuffer.allocate(10)));
        assertEquals(-1, origin.read(path, big.length + 5L, ByteBuffer.allocate(10)));
        assertEquals("hello", new String(read("Artist/Album/02 ünïcødé 日本.mp3", 0, 100), StandardCharsets.UTF_8));
    }

    @Test
    void missingFilesAndEscapesAreNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> origin.stat("Artist/nothing.flac"));
        assertThrows(NoSuchFileException.class, () -> origin.read("nothing.flac", 0, ByteBuffer.allocate(1)));
        assertThrows(NoSuchFileException.class, () -> origin.stat("../etc/passwd"));
        assertThrows(NoSuchFileException.class, () -> origin.stat("/etc/passwd"));
        assertThrows(NoSuchFileException.class, () -> origin.stat("Artist"));
    }

    @Test
    void probeNamesAMissingFolder() throws IOException {
        origin.probe();
        LocalOrigin gone = activate("nas", 1, dir.resolve("not-there").toString());
        NoSuchFileException e = assertThrows(NoSuchFileException.class, gone::probe);
        assertTrue(e.getMessage().contains("origin nas") && e.getMessage().contains("not-there"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> gone.walk(entry -> { }));
    }

    @Test
    void badConfigurationNamesTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> activate("bad id/x", 1, dir.toString()));
        assertTrue(e.getMessage().startsWith("origin.id:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> activate("ok", 1, " "));
        assertTrue(e.getMessage().startsWith("path:"), e.getMessage());
    }

    @Test
    void watchReportsCreatedModifiedDeletedAndNewFolders() throws Exception {
        BlockingQueue<OriginChange> changes = new LinkedBlockingQueue<>();
        try (OriginWatch watch = origin.watch(changes::add).orElseThrow()) {
            Files.writeString(dir.resolve("Artist/Album/03 new.flac"), "x");
            awaitChange(changes, OriginChange.Kind.CREATED, "Artist/Album/03 new.flac");
            Files.delete(dir.resolve("Artist/Album/02 ünïcødé 日本.mp3"));
            awaitChange(changes, OriginChange.Kind.DELETED, "Artist/Album/02 ünïcødé 日本.mp3");
            Path staged = Files.createTempDirectory(dir.getParent(), "staged");
            Files.writeString(Files.createDirectories(staged.resolve("Disc 1")).resolve("a.flac"), "a");
            Files.move(staged, dir.resolve("Artist/New Album"));
            awaitChange(changes, OriginChange.Kind.CREATED, "Artist/New Album/Disc 1/a.flac");
            Files.writeString(dir.resolve("Artist/New Album/Disc 1/b.flac"), "b");
            awaitChange(changes, OriginChange.Kind.CREATED, "Artist/New Album/Disc 1/b.flac");
        }
    }

    private static void awaitChange(BlockingQueue<OriginChange> changes, OriginChange.Kind kind, String path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<OriginChange> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            OriginChange change = changes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (change == null) {
                break;
            }
            if (change.kind() == kind && change.path().equals(path)) {
                return;
            }
            seen.add(change);
        }
        throw new AssertionError("no " + kind + " " + path + " within 10 s; saw " + seen);
    }

    private byte[] read(String path, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        int n = origin.read(path, offset, buffer);
        return Arrays.copyOf(buffer.array(), n);
    }
}
