package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

/**
 * An origin over a local directory, with the faults the content reader must survive switched on by
 * the test: every read fails, or hangs (ignoring interrupts, the worst kind) until released, or is
 * slowed down. Counts the reads and the bytes they delivered.
 */
final class DirectoryOrigin implements Origin {

    enum Mode { HEALTHY, FAIL, HANG }

    private final String id;
    private final Path root;
    private final boolean remote;
    private volatile Mode mode = Mode.HEALTHY;
    private volatile long delayMillis;
    private volatile CountDownLatch hang = new CountDownLatch(0);
    final AtomicInteger reads = new AtomicInteger();
    final AtomicLong bytesRead = new AtomicLong();
    /** The buffer the latest read was given to fill. */
    volatile ByteBuffer lastDst;

    DirectoryOrigin(String id, Path root, boolean remote) {
        this.id = id;
        this.root = root;
        this.remote = remote;
    }

    DirectoryOrigin(String id, Path root) {
        this(id, root, false);
    }

    void fail() {
        mode = Mode.FAIL;
    }

    /** Every read from now on blocks, deaf to interrupts, until {@link #heal}. */
    void hang() {
        hang = new CountDownLatch(1);
        mode = Mode.HANG;
    }

    /** Back to healthy; hung reads go on and complete. */
    void heal() {
        mode = Mode.HEALTHY;
        hang.countDown();
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    void resetCounters() {
        reads.set(0);
        bytesRead.set(0);
    }

    /** @return the catalog's view of one of this origin's files as it is now */
    TrackFile track(long fileId, String path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(root.resolve(path), BasicFileAttributes.class);
        return new TrackFile(fileId, id, path, a.size(), a.lastModifiedTime().toMillis(), null);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "test-directory";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean remote() {
        return remote;
    }

    @Override
    public void walk(OriginVisitor visitor) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                visitor.file(stat(root.relativize(p).toString()));
            }
        }
    }

    @Override
    public OriginEntry stat(String path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(root.resolve(path), BasicFileAttributes.class);
        return new OriginEntry(path, a.size(), a.lastModifiedTime().toMillis(), null);
    }

    @Override
    public int read(String path, long offset, ByteBuffer dst) throws IOException {
        reads.incrementAndGet();
        lastDst = dst;
        Mode m = mode;
        if (m == Mode.FAIL) {
            throw new IOException(id + ": injected failure reading " + path);
        }
        if (m == Mode.HANG) {
            awaitUninterruptibly(hang);
        }
        long delay = delayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("delayed read interrupted");
            }
        }
        try (FileChannel ch = FileChannel.open(root.resolve(path), StandardOpenOption.READ)) {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, offset + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            bytesRead.addAndGet(total);
            return total == 0 && dst.hasRemaining() ? -1 : total;
        }
    }

    @Override
    public void probe() throws IOException {
        if (mode != Mode.HEALTHY || !Files.isDirectory(root)) {
            throw new IOException(id + ": unavailable");
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
