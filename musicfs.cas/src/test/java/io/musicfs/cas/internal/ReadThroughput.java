package io.musicfs.cas.internal;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

/**
 * Rough read throughput of the content reader, not a test. Two 64 MiB files on a local directory
 * origin, read start to end through one {@link CachedContentReader} with the default 1 MiB chunks,
 * its default 64 MiB of chunk buffers and its default read-ahead and write queue:
 * <ul>
 * <li>source: file B read straight from the origin in 1 MiB pieces, no cache (the reference);</li>
 * <li>cold: file B, never read before (file A was, so the buffers are allocated);</li>
 * <li>warm from disk: file A, fully cached, after B pushed it out of memory: every chunk read from
 * its file and verified;</li>
 * <li>warm from memory: file A once more, its chunks still in the buffers.</li>
 * </ul>
 * Also prints how much of B the cold read left cached (chunks can be skipped when the writer falls
 * behind). Prints MB/s (10^6 bytes per second), the median and best of {@link #ROUNDS} rounds, each
 * with a new cache directory; one extra round first warms the JIT up and is not counted.
 *
 * <p>The origin files sit in the page cache, and so do the chunk files, so by default "cold" and
 * "warm from disk" measure the cache's own work. System properties bring in the costs of a real
 * machine:
 * <ul>
 * <li>{@code origin.mbps}: the origin is a device of this bandwidth (MB/s), shared by concurrent reads;</li>
 * <li>{@code manifest.recordMillis}, {@code manifest.loadMillis}: each manifest record or load takes
 * this long, like a database commit or query (Derby on a local disk: 1-5 ms and 0.4-2 ms).</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp <test classpath> [-Dorigin.mbps=1751] [-Dmanifest.recordMillis=2]
 * [-Dmanifest.loadMillis=0.4] io.musicfs.cas.internal.ReadThroughput [work dir]}
 */
public final class ReadThroughput {

    private static final int FILE_SIZE = 64 << 20;
    private static final int ROUNDS = 7;
    /** Passes over file A, at most, to get every chunk of it cached (the writer may skip some per pass). */
    private static final int MAX_PRIMING_PASSES = 20;

    public static void main(String[] args) throws Exception {
        double recordMillis = Double.parseDouble(System.getProperty("manifest.recordMillis", "0"));
        double loadMillis = Double.parseDouble(System.getProperty("manifest.loadMillis", "0"));
        System.out.printf("manifest store: in memory, record %.2f ms, load %.2f ms%n", recordMillis, loadMillis);
        run(Path.of(args.length > 0 ? args[0] : "target/throughput"),
                dir -> new SlowManifestStore(new MemoryManifestStore(), recordMillis, loadMillis));
    }

    /**
     * Measures with manifest stores from {@code manifests}: one per round, given a fresh directory
     * for its own files (a real store's database), since every round starts with an empty cache.
     */
    public static void run(Path workDir, Function<Path, ManifestStore> manifests) throws Exception {
        Path work = Files.createDirectories(workDir);
        Path originDir = Files.createDirectories(work.resolve("origin"));
        Random random = new Random(1);
        byte[] bytes = new byte[FILE_SIZE];
        random.nextBytes(bytes);
        Files.write(originDir.resolve("a.flac"), bytes);
        random.nextBytes(bytes);
        Files.write(originDir.resolve("b.flac"), bytes);
        DirectoryOrigin files = new DirectoryOrigin("local", originDir);
        double originMbps = Double.parseDouble(System.getProperty("origin.mbps", "0"));
        Origin origin = originMbps > 0 ? new ThrottledOrigin(files, originMbps) : files;
        TrackFile a = files.track(1, "a.flac");
        TrackFile b = files.track(2, "b.flac");
        ListRouter router = new ListRouter(origin);

        System.out.printf("xxHash64 of a direct 1 MiB buffer: %.0f MB/s%n", hashSpeed());
        System.out.println("origin: " + (originMbps > 0 ? "a " + originMbps + " MB/s device (simulated)" : "page cache"));
        for (int piece : new int[] {128 << 10, 1 << 20}) {
            double[] source = new double[ROUNDS];
            double[] cold = new double[ROUNDS];
            double[] cachedByCold = new double[ROUNDS];
            double[] disk = new double[ROUNDS];
            double[] memory = new double[ROUNDS];
            for (int round = -1; round < ROUNDS; round++) {
                Path roundDir = work.resolve("round");
                delete(roundDir);
                Path cacheDir = Files.createDirectories(roundDir.resolve("cache"));
                ManifestStore store = manifests.apply(Files.createDirectories(roundDir.resolve("manifests")));
                CachedContentReader reader = new CachedContentReader(store, router,
                        Configs.config(Map.of("cacheDir", cacheDir.toAbsolutePath().toString())));
                try {
                    double sourceB = direct(origin, b);
                    pass(reader, a, piece);
                    double coldB = pass(reader, b, piece);
                    quiesce(reader);
                    double cachedB = cachedFraction(store, b);
                    prime(reader, files, a, piece);
                    pass(reader, b, piece); // pushes A out of memory
                    quiesce(reader);
                    files.resetCounters();
                    double diskA = pass(reader, a, piece);
                    double memoryA = pass(reader, a, piece);
                    if (files.reads.get() != 0) {
                        throw new IllegalStateException("warm reads asked the origin " + files.reads.get() + " times");
                    }
                    if (round >= 0) {
                        source[round] = sourceB;
                        cold[round] = coldB;
                        cachedByCold[round] = cachedB * 100;
                        disk[round] = diskA;
                        memory[round] = memoryA;
                    }
                } finally {
                    reader.deactivate();
                    if (store instanceof AutoCloseable c) {
                        c.close();
                    }
                }
            }
            System.out.printf("reads of %4d KiB, median (best) of %d: source %s, cold %s (%s%% of B cached by it), warm from disk %s,"
                    + " warm from memory %s MB/s%n", piece >> 10, ROUNDS, figures(source), figures(cold), figures(cachedByCold),
                    figures(disk), figures(memory));
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

    /** @return MB/s of reading the file straight from the origin, in 1 MiB pieces */
    private static double direct(Origin origin, TrackFile file) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
        long t0 = System.nanoTime();
        long off = 0;
        int n;
        while ((n = origin.read(file.path(), off, dst.clear())) > 0) {
            off += n;
        }
        return off * 1e3 / (System.nanoTime() - t0);
    }

    /** Reads the file until a pass needs no origin: every chunk cached. */
    private static void prime(CachedContentReader reader, DirectoryOrigin files, TrackFile file, int piece) throws Exception {
        for (int i = 0; i < MAX_PRIMING_PASSES; i++) {
            files.resetCounters();
            pass(reader, file, piece);
            quiesce(reader);
            if (files.reads.get() == 0) {
                return;
            }
        }
        throw new IllegalStateException(file.path() + " still not fully cached after " + MAX_PRIMING_PASSES + " passes");
    }

    /** Waits for the reader's background chunk writes, where it has any (found reflectively, so this runs against older readers too). */
    private static void quiesce(CachedContentReader reader) throws Exception {
        Method writer;
        try {
            writer = CachedContentReader.class.getDeclaredMethod("writer");
        } catch (NoSuchMethodException e) {
            return; // a reader that writes on the reading thread
        }
        writer.setAccessible(true);
        Object w = writer.invoke(reader);
        Method await = w.getClass().getDeclaredMethod("awaitIdle", long.class);
        await.setAccessible(true);
        if (!(Boolean) await.invoke(w, TimeUnit.SECONDS.toNanos(60))) {
            throw new IllegalStateException("chunk writes still pending after 60 s");
        }
        Thread.sleep(50); // read-ahead tasks that found their chunk already loaded
    }

    /** @return the fraction of the file's chunks the manifest store has recorded */
    private static double cachedFraction(ManifestStore store, TrackFile file) throws IOException {
        long[] hashes = store.load(file, CachedContentReader.DEFAULT_CHUNK_SIZE).hashes();
        return (double) Arrays.stream(hashes).filter(h -> h != Manifest.UNKNOWN).count() / hashes.length;
    }

    private static String figures(double[] values) {
        double[] sorted = values.clone();
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

    private static void park(double millis) {
        long end = System.nanoTime() + (long) (millis * 1e6);
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    /** A manifest store whose records and loads take as long as a database's. */
    private static final class SlowManifestStore implements ManifestStore {
        private final ManifestStore delegate;
        private final double recordMillis;
        private final double loadMillis;

        SlowManifestStore(ManifestStore delegate, double recordMillis, double loadMillis) {
            this.delegate = delegate;
            this.recordMillis = recordMillis;
            this.loadMillis = loadMillis;
        }

        @Override
        public Manifest load(TrackFile file, int chunkSize) throws IOException {
            park(loadMillis);
            return delegate.load(file, chunkSize);
        }

        @Override
        public void recordChunk(TrackFile file, int chunkSize, int index, long hash) throws IOException {
            park(recordMillis);
            delegate.recordChunk(file, chunkSize, index, hash);
        }
    }

    /**
     * An origin on a device of limited bandwidth: reads are served one after another at that rate,
     * however many run at once (the files themselves come from the page cache).
     */
    private static final class ThrottledOrigin implements Origin {
        private final DirectoryOrigin delegate;
        private final double nanosPerByte;
        private final AtomicLong deviceFreeAt = new AtomicLong(System.nanoTime());

        ThrottledOrigin(DirectoryOrigin delegate, double mbps) {
            this.delegate = delegate;
            this.nanosPerByte = 1e3 / mbps;
        }

        @Override
        public int read(String path, long offset, ByteBuffer dst) throws IOException {
            // The device is booked for the transfer first, so copying from the page cache overlaps it.
            long cost = (long) (dst.remaining() * nanosPerByte);
            long done = deviceFreeAt.accumulateAndGet(cost, (freeAt, c) -> Math.max(freeAt, System.nanoTime()) + c);
            int n = delegate.read(path, offset, dst);
            for (long left; (left = done - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(left);
            }
            return n;
        }

        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public String type() {
            return delegate.type();
        }

        @Override
        public int priority() {
            return delegate.priority();
        }

        @Override
        public boolean remote() {
            return delegate.remote();
        }

        @Override
        public void walk(OriginVisitor visitor) throws IOException {
            delegate.walk(visitor);
        }

        @Override
        public OriginEntry stat(String path) throws IOException {
            return delegate.stat(path);
        }

        @Override
        public void probe() throws IOException {
            delegate.probe();
        }
    }
}
