package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.musicfs.api.library.TrackFile;

/**
 * Rough read throughput of the content reader, not a test. Two 64 MiB files on a local directory
 * origin (so "cold" measures the cache's own work: origin read from the page cache, hash, fsync,
 * rename, manifest), read start to end through one {@link CachedContentReader} with the default
 * 1 MiB chunks and its default 64 MiB of chunk buffers:
 * <ul>
 * <li>cold: file B, never read before (file A was, so the buffers are allocated);</li>
 * <li>warm from disk: file A again after B pushed it out of memory: every chunk read from its file
 * and verified;</li>
 * <li>warm from memory: file A once more, its chunks still in the buffers.</li>
 * </ul>
 * Prints MB/s (10^6 bytes per second), the median and best of {@link #ROUNDS} rounds, each with a
 * new cache directory; one extra round first warms the JIT up and is not counted.
 *
 * <p>Usage: {@code java -cp <test classpath> io.musicfs.cas.internal.ReadThroughput [work dir]}
 */
public final class ReadThroughput {

    private static final int FILE_SIZE = 64 << 20;
    private static final int ROUNDS = 7;

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/throughput"));
        Path originDir = Files.createDirectories(work.resolve("origin"));
        Random random = new Random(1);
        byte[] bytes = new byte[FILE_SIZE];
        random.nextBytes(bytes);
        Files.write(originDir.resolve("a.flac"), bytes);
        random.nextBytes(bytes);
        Files.write(originDir.resolve("b.flac"), bytes);
        DirectoryOrigin origin = new DirectoryOrigin("local", originDir);
        TrackFile a = origin.track(1, "a.flac");
        TrackFile b = origin.track(2, "b.flac");
        ListRouter router = new ListRouter(origin);

        System.out.printf("xxHash64 of a direct 1 MiB buffer: %.0f MB/s%n", hashSpeed());
        for (int piece : new int[] {128 << 10, 1 << 20}) {
            double[] cold = new double[ROUNDS];
            double[] disk = new double[ROUNDS];
            double[] memory = new double[ROUNDS];
            for (int round = -1; round < ROUNDS; round++) {
                Path cacheDir = work.resolve("cache");
                delete(cacheDir);
                CachedContentReader reader = new CachedContentReader(new MemoryManifestStore(), router,
                        Configs.config(Map.of("cacheDir", cacheDir.toAbsolutePath().toString())));
                try {
                    pass(reader, a, piece);
                    double coldB = pass(reader, b, piece);
                    origin.resetCounters();
                    double diskA = pass(reader, a, piece);
                    double memoryA = pass(reader, a, piece);
                    if (origin.reads.get() != 0) {
                        throw new IllegalStateException("warm reads asked the origin " + origin.reads.get() + " times");
                    }
                    if (round >= 0) {
                        cold[round] = coldB;
                        disk[round] = diskA;
                        memory[round] = memoryA;
                    }
                } finally {
                    reader.deactivate();
                }
            }
            System.out.printf("reads of %4d KiB, median (best) of %d: cold %s, warm from disk %s, warm from memory %s MB/s%n",
                    piece >> 10, ROUNDS, figures(cold), figures(disk), figures(memory));
        }
        delete(work);
    }

    /** @return MB/s of one sequential read of the whole file in pieces */
    private static double pass(CachedContentReader reader, TrackFile file, int piece) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(piece);
        long t0 = System.nanoTime();
        long off = 0;
        int n;
        while ((n = reader.read(file, off, dst.clear())) > 0) {
            off += n;
        }
        long nanos = System.nanoTime() - t0;
        if (off != file.size()) {
            throw new IllegalStateException("read " + off + " of " + file.size());
        }
        return off * 1e3 / nanos;
    }

    private static String figures(double[] mbps) {
        double[] sorted = mbps.clone();
        Arrays.sort(sorted);
        return String.format("%.0f (%.0f)", sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    private static double hashSpeed() {
        ByteBuffer b = ChunkStore.allocateChunkBuffer(1 << 20);
        long sink = 0;
        for (int i = 0; i < 2000; i++) {
            sink += ChunkStore.hash(b);
        }
        long t0 = System.nanoTime();
        int n = 4000;
        for (int i = 0; i < n; i++) {
            sink += ChunkStore.hash(b);
        }
        long nanos = System.nanoTime() - t0;
        if (sink == 42) {
            System.out.println();
        }
        return (double) n * (1 << 20) * 1e3 / nanos;
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }
}
