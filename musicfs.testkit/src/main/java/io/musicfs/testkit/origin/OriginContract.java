package io.musicfs.testkit.origin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Origin} must have, whatever its type. A subclass makes an origin that
 * serves exactly the files of a fixture folder (points a local origin at it, uploads it to a
 * bucket, serves it over SFTP) and inherits the tests.
 */
public abstract class OriginContract {

    /** file path (relative, {@code /}-separated) to its bytes */
    protected final Map<String, byte[]> files = new TreeMap<>();
    private Origin origin;

    @TempDir
    protected Path fixture;

    /**
     * @param fixture a folder holding the files of {@link #files}
     * @return an origin whose files are exactly those
     */
    protected abstract Origin createOrigin(Path fixture) throws Exception;

    /** Stops what {@link #createOrigin} started; the default does nothing. */
    protected void closeOrigin(Origin origin) throws Exception {
    }

    @BeforeEach
    void writeFixture() throws Exception {
        Random random = new Random(42);
        put("Artist/Album/01 small.flac", "small file".getBytes(StandardCharsets.UTF_8));
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(large);
        put("Artist/Album/02 large.flac", large);
        put("ünïcødé/日本 語/🎵 émoji & spaces.mp3", "unicode".getBytes(StandardCharsets.UTF_8));
        put("deep/a/b/c/d/e/track.ogg", "deep".getBytes(StandardCharsets.UTF_8));
        put("empty.flac", new byte[0]);
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path path = fixture.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.write(path, file.getValue());
        }
        origin = createOrigin(fixture);
    }

    @AfterEach
    void close() throws Exception {
        if (origin != null) {
            closeOrigin(origin);
        }
    }

    private void put(String path, byte[] bytes) {
        files.put(path, bytes);
    }

    protected Origin origin() {
        return origin;
    }

    @Test
    void walkListsEveryFileWithItsSize() throws IOException {
        Map<String, OriginEntry> listed = walk();
        assertEquals(files.keySet(), listed.keySet());
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            assertEquals(file.getValue().length, listed.get(file.getKey()).size(), file.getKey());
        }
    }

    @Test
    void statAgreesWithTheWalk() throws IOException {
        Map<String, OriginEntry> listed = walk();
        for (String path : files.keySet()) {
            OriginEntry stat = origin.stat(path);
            assertEquals(listed.get(path), stat, path);
        }
    }

    @Test
    void readsRangesAtTheStartTheMiddleAndTheEnd() throws IOException {
        String path = "Artist/Album/02 large.flac";
        byte[] bytes = files.get(path);
        assertArrayEquals(Arrays.copyOfRange(bytes, 0, 4096), read(path, 0, 4096));
        assertArrayEquals(Arrays.copyOfRange(bytes, 1_500_000, 1_500_000 + 131_072), read(path, 1_500_000, 131_072));
        assertArrayEquals(Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length), read(path, bytes.length - 10, 4096),
                "a read that runs past the end returns what there is");
        assertArrayEquals(bytes, read(path, 0, bytes.length + 1000), "one read fills the whole buffer, however the origin streams");
    }

    @Test
    void readsAtOrPastTheEndReturnMinusOne() throws IOException {
        String path = "Artist/Album/01 small.flac";
        int size = files.get(path).length;
        assertEquals(-1, origin.read(path, size, ByteBuffer.allocate(16)));
        assertEquals(-1, origin.read(path, size + 100L, ByteBuffer.allocate(16)));
        assertEquals(-1, origin.read("empty.flac", 0, ByteBuffer.allocate(16)));
    }

    @Test
    void missingFilesAreNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> origin.stat("Artist/Album/03 missing.flac"));
        assertThrows(NoSuchFileException.class, () -> origin.read("Artist/Album/03 missing.flac", 0, ByteBuffer.allocate(16)));
    }

    @Test
    void unicodeNamesWork() throws IOException {
        String path = "ünïcødé/日本 語/🎵 émoji & spaces.mp3";
        assertEquals("unicode", new String(read(path, 0, 100), StandardCharsets.UTF_8));
        assertEquals(7, origin.stat(path).size());
    }

    @Test
    void concurrentRangedReadsGetTheRightBytes() throws Exception {
        String path = "Artist/Album/02 large.flac";
        byte[] bytes = files.get(path);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                long seed = i;
                reads.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    int offset = random.nextInt(bytes.length);
                    int length = 1 + random.nextInt(256 * 1024);
                    byte[] got = read(path, offset, length);
                    assertArrayEquals(Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + length)), got,
                            "read of " + length + " at " + offset);
                    return null;
                }));
            }
            for (Future<?> read : reads) {
                read.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void probeSucceedsOnAHealthyOrigin() throws IOException {
        origin.probe();
        assertTrue(!origin.id().isBlank());
    }

    protected Map<String, OriginEntry> walk() throws IOException {
        Map<String, OriginEntry> listed = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        origin.walk(new OriginVisitor() {
            @Override
            public void file(OriginEntry entry) {
                listed.put(entry.path(), entry);
            }

            @Override
            public void problem(String path, IOException cause) {
                problems.add(path + ": " + cause);
            }
        });
        assertEquals(List.of(), problems);
        return listed;
    }

    protected byte[] read(String path, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        int n = origin.read(path, offset, buffer);
        return n < 0 ? new byte[0] : Arrays.copyOf(buffer.array(), n);
    }
}
