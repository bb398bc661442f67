package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hung origin through the real mount (resilience 3.8, 5.1): the library folder is served by
 * mergerfs, and mergerfs is stopped (SIGSTOP), so every read of the origin blocks like one from a
 * dead NAS. 100 concurrent reads through the MusicFS mount: those of a cached track return its
 * bytes, those of an uncached track fail with EIO within the deadline; none hangs. When mergerfs
 * continues, the uncached track reads again.
 */
class HangingOriginIT {

    private static final long LARGE_BYTES = 8L << 20;
    /** The local origin deadline (5 s) plus the router's retries and scheduling on a busy machine. */
    private static final long MAX_READ_SECONDS = 20;

    @TempDir
    Path tmp;
    Path source;
    Path music;
    Path cache;
    Path mountPoint;
    Corpus corpus;
    long mergerfsPid;

    @BeforeEach
    void setUp() throws Exception {
        source = tmp.resolve("source");
        music = Files.createDirectories(tmp.resolve("music"));
        cache = tmp.resolve("cache");
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        corpus = CorpusGenerator.generate(source, CorpusSpec.of(10).withHardCases(false).withLargeTracks(2, LARGE_BYTES));
        Assumptions.assumeTrue(Mounts.run("mergerfs", "-o", "fsname=hang-test", source.toString(), music.toString()) == 0,
                "mergerfs is needed (Debian package mergerfs)");
        Process pgrep = new ProcessBuilder("pgrep", "-f", "mergerfs.*" + music).start();
        String pid = new String(pgrep.getInputStream().readAllBytes()).strip().split("\\s+")[0];
        mergerfsPid = Long.parseLong(pid);
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.run("kill", "-CONT", Long.toString(mergerfsPid));
        Mounts.forceUnmount(mountPoint);
        Mounts.forceUnmount(music);
    }

    @Test
    void uncachedReadsFailWithinTheDeadlineWhileCachedReadsGoOnAndNoneHangs() throws Exception {
        List<TruthEntry> large = corpus.presentOf(Corpus.LARGE_CASE);
        Path warm = mountPoint.resolve(large.get(0).virtualPath());
        Path cold = mountPoint.resolve(large.get(1).virtualPath());
        byte[] warmBytes = Files.readAllBytes(source.resolve(large.get(0).sourcePath()));
        byte[] coldBytes = Files.readAllBytes(source.resolve(large.get(1).sourcePath()));
        try (Daemon daemon = Daemon.start(List.of("mount", "--origin", music.toString(), "--cache", cache.toString(),
                mountPoint.toString()))) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);
                assertArrayEquals(warmBytes, Files.readAllBytes(warm));
                // The kernel's page cache of the mount would answer without asking MusicFS: drop it, so
                // the reads below really go to the chunk cache.
                Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");

                assertEquals(0, Mounts.run("kill", "-STOP", Long.toString(mergerfsPid)));
                ExecutorService pool = Executors.newFixedThreadPool(100);
                List<Future<String>> reads = new ArrayList<>();
                Random random = new Random(5);
                long t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    boolean cached = i % 2 == 0;
                    // Cold reads stay clear of the cold track's first chunks: playing the warm track (the one before
                    // it in its album) has fetched those ahead.
                    long offset = cached ? random.nextInt((int) LARGE_BYTES - (64 << 10))
                            : (LARGE_BYTES / 2) + random.nextInt((int) LARGE_BYTES / 2 - (64 << 10));
                    reads.add(pool.submit(() -> cached ? readWarm(warm, offset, warmBytes) : readCold(cold, offset)));
                }
                List<String> outcomes = new ArrayList<>();
                for (Future<String> read : reads) {
                    outcomes.add(read.get(MAX_READ_SECONDS + 10, TimeUnit.SECONDS));
                }
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                pool.shutdownNow();
                assertEquals(50, outcomes.stream().filter("cached ok"::equals).count(), outcomes.toString());
                assertEquals(50, outcomes.stream().filter("EIO"::equals).count(), outcomes.toString());
                assertTrue(seconds <= MAX_READ_SECONDS, "100 reads took " + seconds + " s");

                // The origin answers again: so does the uncached track (once the health monitor has seen it back).
                assertEquals(0, Mounts.run("kill", "-CONT", Long.toString(mergerfsPid)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try {
                        assertArrayEquals(coldBytes, Files.readAllBytes(cold));
                        break;
                    } catch (IOException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                        Thread.sleep(200); // polling for the origin's return, with a deadline
                    }
                }
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("HangingOriginIT");
            }
        }
    }

    private static String readWarm(Path file, long offset, byte[] expected) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // read the whole piece
            }
        }
        byte[] want = Arrays.copyOfRange(expected, (int) offset, (int) offset + buf.capacity());
        return Arrays.equals(want, buf.array()) ? "cached ok" : "cached WRONG BYTES at " + offset;
    }

    private static String readCold(Path file, long offset) {
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.allocate(64 << 10), offset);
            return "cold read returned data from a hung origin";
        } catch (IOException e) {
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            return e.getMessage() != null && e.getMessage().contains("Input/output error") && s <= MAX_READ_SECONDS ? "EIO"
                    : "failed after " + s + " s with " + e;
        }
    }
}
