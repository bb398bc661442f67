package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk cache of the real daemon, through the real mount. It survives kill -9 (resilience 5.7,
 * 2.8): the daemon is killed while eight readers stream large tracks and a sync of newly added files
 * starts; after a restart every byte read matches the source files, the mount point is usable, and the
 * cache's size accounting (as the daemon reports it when it stops) equals the bytes of chunk files on
 * disk. And it heals (6.4): a chunk file with a flipped byte and a deleted one are refetched, readers
 * get the right bytes.
 */
class ChunkCacheIT {

    private static final int READERS = 8;
    private static final long LARGE_BYTES = 12L << 20;
    private static final Pattern STOPPED = Pattern.compile("content reader: stopped; cache .*: (\\d+) chunks, (\\d+) bytes");

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
        corpus = CorpusGenerator.generate(music, CorpusSpec.of(40).withHardCases(false).withLargeTracks(READERS, LARGE_BYTES));
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.forceUnmount(mountPoint);
    }

    private Daemon start() throws Exception {
        return Daemon.start(List.of("mount", "--origin", music.toString(), "--cache", cache.toString(), mountPoint.toString()));
    }

    @Test
    void killedWhileReadersStreamAndASyncRunsItServesTheRightBytesAfterARestart() throws Exception {
        List<TruthEntry> large = corpus.presentOf(Corpus.LARGE_CASE);
        assertEquals(READERS, large.size());
        List<TruthEntry> bulk = corpus.presentOf(Corpus.BULK_CASE);
        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong bytes = new AtomicLong();
                List<Thread> readers = new ArrayList<>();
                for (TruthEntry track : large) {
                    Thread t = new Thread(() -> stream(mountPoint.resolve(track.virtualPath()), stop, bytes), "reader-" + track.sourcePath());
                    t.start();
                    readers.add(t);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (bytes.get() < READERS * LARGE_BYTES / 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling the readers' progress, not synchronising with them
                }
                // New files make the watcher start a sync, which reads their tags while the readers stream; the kill comes as it starts.
                Path arrivals = Files.createDirectories(music.resolve("zz new arrivals"));
                for (int i = 0; i < 20; i++) {
                    TruthEntry e = bulk.get(i);
                    Files.copy(music.resolve(e.sourcePath()), arrivals.resolve(i + "-" + Path.of(e.sourcePath()).getFileName()),
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
                assertTrue(bytes.get() > 0, "the readers read nothing");
                daemon.signal("KILL");
                daemon.awaitExit(30);
                stop.set(true);
                for (Thread t : readers) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                    assertFalse(t.isAlive(), "a reader hangs on the dead mount");
                }
            } finally {
                daemon.saveOutput("ChunkCacheIT-killed");
            }
        }

        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);
                // Everything, twice: the first read fills the cache from what the crash left, the second reads it back.
                for (int round = 0; round < 2; round++) {
                    for (TruthEntry e : corpus.present()) {
                        assertEquals(e.sha256(), MountedTree.sha256(mountPoint.resolve(e.virtualPath())), e.virtualPath());
                    }
                }
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
                assertFalse(Mounts.isMounted(mountPoint));
                assertAccountingMatchesDisk(daemon);
                try (var tmpFiles = Files.list(cache.resolve("chunks").resolve("tmp"))) {
                    assertEquals(0, tmpFiles.count(), "temporary files left behind");
                }
            } finally {
                daemon.saveOutput("ChunkCacheIT-restarted");
            }
        }
    }

    /** The chunk count and bytes the daemon logged when it stopped equal the chunk files on disk. */
    private void assertAccountingMatchesDisk(Daemon daemon) {
        Matcher stopped = daemon.lines().stream().map(STOPPED::matcher).filter(Matcher::find).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no 'content reader: stopped' line:\n" + daemon.output()));
        long[] onDisk = chunkFiles(cache.resolve("chunks"));
        assertTrue(onDisk[0] > 0);
        assertEquals(onDisk[0], Long.parseLong(stopped.group(1)), "chunk count the daemon reported vs chunk files on disk");
        assertEquals(onDisk[1], Long.parseLong(stopped.group(2)), "bytes the daemon reported vs bytes of chunk files on disk");
    }

    @Test
    void aFlippedByteAndADeletedChunkAreRefetchedAndReadersGetTheRightBytes() throws Exception {
        TruthEntry track = corpus.presentOf(Corpus.LARGE_CASE).get(0);
        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);
                assertEquals(track.sha256(), MountedTree.sha256(mountPoint.resolve(track.virtualPath())));
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("ChunkCacheIT-first");
            }
        }
        // The chunks of the track read, never those of the next track that read-ahead cached along: a
        // read-ahead of those may still run after the read and would refetch a chunk deleted meanwhile.
        byte[] content = Files.readAllBytes(music.resolve(track.sourcePath()));
        List<Path> chunks = new ArrayList<>();
        for (File top : listed(cache.resolve("chunks").toFile())) {
            for (File middle : top.getName().length() == 2 ? listed(top) : new File[0]) {
                for (File chunk : listed(middle)) {
                    if (isChunkOf(content, Files.readAllBytes(chunk.toPath()))) {
                        chunks.add(chunk.toPath());
                    }
                }
            }
        }
        assertTrue(chunks.size() >= 4, "chunks of the track cached: " + chunks.size());
        chunks.sort(null);
        Path flipped = chunks.get(0);
        Path deleted = chunks.get(1);
        flipByte(flipped);
        Files.delete(deleted);

        try (Daemon daemon = start()) {
            try {
                daemon.awaitServing();
                assertEquals(track.sha256(), MountedTree.sha256(mountPoint.resolve(track.virtualPath())), "bytes after the damage");
                daemon.awaitLine(line -> line.contains("bad chunk " + flipped), 10);

                // the same damage while the daemon runs, found by ./musicfs cache verify before any read
                Path flippedLive = chunks.get(2);
                Path deletedLive = chunks.get(3);
                flipByte(flippedLive);
                Files.delete(deletedLive);
                daemon.awaitLine(line -> line.contains("control API listening at"), 60);
                ControlIT.Cli verify = ControlIT.cliFor(cache, "cache", "verify");
                assertEquals(0, verify.exit(), verify.output());
                assertTrue(verify.output().lines().reduce((a, b) -> b).orElse("").matches(
                        "cache verified: \\d+ chunks checked, 1 corrupt, 1 missing, 0 unindexed .*"), verify.output());
                assertFalse(Files.exists(flippedLive), "the corrupt chunk was dropped");
                ControlIT.Cli again = ControlIT.cliFor(cache, "cache", "verify");
                assertTrue(again.output().contains(" 0 corrupt, 0 missing, 0 unindexed"), "fixed: " + again.output());
                assertEquals(track.sha256(), MountedTree.sha256(mountPoint.resolve(track.virtualPath())), "bytes after verify");
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
                assertTrue(Files.exists(flipped) && Files.exists(deleted), "both chunks are cached again");
                assertAccountingMatchesDisk(daemon);
            } finally {
                daemon.saveOutput("ChunkCacheIT-healed");
            }
        }
    }

    /** @return whether {@code chunk} is one of the 1 MiB pieces {@code content} is cached in */
    private static boolean isChunkOf(byte[] content, byte[] chunk) {
        int piece = 1 << 20;
        for (int offset = 0; offset < content.length; offset += piece) {
            int end = Math.min(content.length, offset + piece);
            if (chunk.length == end - offset && java.util.Arrays.equals(content, offset, end, chunk, 0, chunk.length)) {
                return true;
            }
        }
        return false;
    }

    private static void flipByte(Path chunk) throws IOException {
        try (FileChannel ch = FileChannel.open(chunk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, 1000);
            one.put(0, (byte) (one.get(0) ^ 0xff)).flip();
            ch.write(one, 1000);
        }
    }

    /** Reads the file from start to end, again and again, until stopped or the mount fails (the daemon was killed). */
    private static void stream(Path file, AtomicBoolean stop, AtomicLong bytes) {
        ByteBuffer buf = ByteBuffer.allocateDirect(128 << 10);
        while (!stop.get()) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                int n;
                while (!stop.get() && (n = ch.read(buf.clear())) > 0) {
                    bytes.addAndGet(n);
                }
            } catch (IOException e) {
                return; // the daemon is gone: "Transport endpoint is not connected"
            }
        }
    }

    /** @return {count, bytes} of the chunk files under the chunk tree's 256 shard folders */
    private static long[] chunkFiles(Path chunks) {
        long count = 0;
        long bytes = 0;
        for (File top : listed(chunks.toFile())) {
            if (top.getName().length() != 2) {
                continue; // tmp/, origins/
            }
            for (File middle : listed(top)) {
                for (File chunk : listed(middle)) {
                    count++;
                    bytes += chunk.length();
                }
            }
        }
        return new long[] {count, bytes};
    }

    private static File[] listed(File dir) {
        File[] files = dir.listFiles();
        return files == null ? new File[0] : files;
    }
}
