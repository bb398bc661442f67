package io.musicfs.cas.internal;

import static io.musicfs.cas.internal.CacheAdminTest.await;
import static io.musicfs.cas.internal.CachedContentReaderTest.awaitWrites;
import static io.musicfs.cas.internal.CachedContentReaderTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.CacheStatus;
import io.musicfs.api.cache.CacheStatus.State;
import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * The cache on a real small disk: a 16 MiB tmpfs mounted by the test (needs root, as the tests run
 * here and in CI). A library twice the cache limit is read; the disk is then filled by another file,
 * and made read-only: reads keep returning the source bytes, the cache goes to passthrough and says
 * why, and comes back once the disk has room or takes writes again.
 */
class CacheDiskTest {

    private static final int CS = CachedContentReader.MIN_CHUNK_SIZE;
    private static final int TRACK = 8 * CS;
    private static final int TRACKS = 24;
    private static final long LIMIT = 6L << 20;

    @TempDir
    Path tmp;
    private Path disk;
    private Path originDir;
    private DirectoryOrigin origin;
    private final List<byte[]> contents = new ArrayList<>();
    private final List<TrackFile> tracks = new ArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private CachedContentReader reader;

    @BeforeEach
    void setUp() throws Exception {
        disk = Files.createDirectories(tmp.resolve("disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk.toString()) == 0,
                "mounting a tmpfs needs root");
        originDir = Files.createDirectories(tmp.resolve("origin"));
        origin = new DirectoryOrigin("local1", originDir);
        Random random = new Random(3);
        for (int i = 0; i < TRACKS; i++) {
            byte[] bytes = new byte[TRACK];
            random.nextBytes(bytes);
            Files.write(originDir.resolve(i + ".flac"), bytes);
            contents.add(bytes);
            tracks.add(origin.track(i + 1, i + ".flac"));
        }
        Map<String, Object> config = new HashMap<>(Map.of("cacheDir", disk.resolve("cache").toString(), "chunkSize", CS,
                "cacheLimitBytes", LIMIT, "diskProbeMillis", 100L));
        reader = new CachedContentReader(new MemoryManifestStore(), new ListRouter(origin), Configs.config(config));
        reader.setEvents(new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                events.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                events.add(event);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        if (reader != null) {
            reader.deactivate();
        }
        run("umount", "-l", disk.toString());
    }

    @Test
    void aFullDiskSwitchesToPassthroughAndSpaceBringsCachingBack() throws Exception {
        readLibrary();
        assertEquals(State.ACTIVE, reader.status().state());

        Path filler = disk.resolve("filler");
        fill(filler);
        readLibrary();
        await(() -> reader.status().state() == State.PASSTHROUGH, "passthrough on a full disk");
        CacheStatus full = reader.status();
        assertTrue(full.reason().startsWith("cache disk full"), full.reason());
        assertFalse(full.prefetching());
        readLibrary(); // still the right bytes, straight from the origin

        assertFalse(cachesNewTracks(), "nothing is cached in passthrough");

        Files.delete(filler);
        await(() -> reader.status().state() == State.ACTIVE, "caching resumes when space returns");
        assertTrue(cachesNewTracks(), "new chunks are cached again");
        readLibrary();

        assertEquals(List.of("PASSTHROUGH", "ACTIVE"), events.stream().map(e -> (String) e.getProperty("state")).toList());
        assertEquals(CacheAdmin.TOPIC_STATE_CHANGED, events.get(0).getTopic());
        assertTrue(((String) events.get(0).getProperty("reason")).startsWith("cache disk full"));
    }

    @Test
    void aReadOnlyDiskSwitchesToPassthroughAndBackWhenWritable() throws Exception {
        readLibrary();
        assertEquals(0, run("mount", "-o", "remount,ro", disk.toString()));

        assertFalse(cachesNewTracks(), "nothing can be cached on a read-only disk");
        await(() -> reader.status().state() == State.PASSTHROUGH, "passthrough on a read-only disk");
        assertTrue(reader.status().reason().startsWith("cache disk read-only"), reader.status().reason());
        readLibrary();

        assertEquals(0, run("mount", "-o", "remount,rw", disk.toString()));
        await(() -> reader.status().state() == State.ACTIVE, "caching resumes when the disk takes writes");
        assertTrue(cachesNewTracks(), "new chunks are cached again");
        readLibrary();
        assertTrue(diskBytes() <= LIMIT);
        assertEquals(diskBytes(), reader.status().bytes());
    }

    /** Reads every track, checks its bytes, and checks the limit holds and the accounting matches the disk. */
    private void readLibrary() throws Exception {
        for (int i = 0; i < tracks.size(); i++) {
            assertArrayEquals(contents.get(i), readAll(reader, tracks.get(i), 128 << 10), "track " + i);
            assertTrue(diskBytes() <= LIMIT, "bytes on disk " + diskBytes() + " over the limit " + LIMIT);
        }
        awaitWrites(reader);
        if (reader.status().state() == State.ACTIVE && reader.stats().inventoryComplete()) {
            await(() -> diskBytes() == reader.status().bytes(), "accounting equals the bytes on disk");
        }
    }

    /**
     * Reads two tracks nobody read before (the chunk buffers hold the whole library, so only new
     * tracks make the cache fetch and write).
     *
     * @return whether their first chunks ended up on disk
     */
    private boolean cachesNewTracks() throws Exception {
        Random random = new Random(contents.size());
        List<byte[]> chunks = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            int i = contents.size();
            byte[] bytes = new byte[TRACK];
            random.nextBytes(bytes);
            Files.write(originDir.resolve(i + ".flac"), bytes);
            contents.add(bytes);
            TrackFile t = origin.track(i + 1, i + ".flac");
            tracks.add(t);
            assertArrayEquals(bytes, readAll(reader, t, 128 << 10));
            chunks.add(java.util.Arrays.copyOf(bytes, CS));
        }
        awaitWrites(reader);
        return chunks.stream().allMatch(c -> Files.exists(reader.store().pathOf(ChunkStore.hash(java.nio.ByteBuffer.wrap(c)))));
    }

    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    /** @return the bytes of the chunk files; walked again when eviction deleted a file the walk was about to enter */
    private long diskBytes() {
        Path chunks = disk.resolve("cache").resolve(ChunkStore.CHUNKS_DIR);
        while (true) {
            try (Stream<Path> files = Files.walk(chunks)) {
                return files.filter(Files::isRegularFile)
                        .filter(p -> p.getParent().getParent().getParent().equals(chunks))
                        .mapToLong(p -> p.toFile().length()).sum();
            } catch (IOException | UncheckedIOException e) {
                Throwable cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
                if (!(cause instanceof NoSuchFileException)) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
