package io.musicfs.testkit.origin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginChange;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;
import io.musicfs.api.origin.OriginWatch;

/**
 * Wraps a real {@link Origin} and injects faults into its reads and probes, switchable at any moment
 * from the test's thread: healthy, fail every nth call, fail after n calls, hang for a time, deliver
 * only part of what was asked, fail with an error of a given kind. Listing ({@link #walk}) and
 * {@link #stat} pass through unless {@link #faultMetadata} is set, so a test can catalogue the
 * origin and then break only its data path.
 *
 * <p>A hang sleeps interruptibly (like a read blocked on a dead NAS that the caller abandons) and
 * can be ended early by {@link #heal()}. Counters tell how often the wrapped origin was really asked.
 *
 * <p>Threading: any thread; the mode is one volatile snapshot.
 */
public final class FaultyOrigin implements Origin {

    /** What {@link #read} and {@link #probe} do. */
    public interface Mode {
    }

    /** Passes every call through. */
    public record Healthy() implements Mode {
    }

    /** Calls number n, 2n, 3n ... (counted from this mode's start) fail with {@code error}. */
    public record FailEveryNth(int n, Kind error) implements Mode {
    }

    /** The first n calls (from this mode's start) pass, every later one fails with {@code error}. */
    public record FailAfter(int n, Kind error) implements Mode {
    }

    /** Every call blocks for {@code time} (or until {@link #heal()}), then passes through. */
    public record Hang(Duration time) implements Mode {
    }

    /** Every read delivers at most {@code bytes} bytes, as a short read, though more was asked and is there. */
    public record Partial(int bytes) implements Mode {
    }

    /** Every call fails with {@code error}. */
    public record Fail(Kind error) implements Mode {
    }

    /** The kinds of failure an origin shows. */
    public enum Kind {
        /** an I/O error (a reset connection, a bad disk) */
        IO,
        /** the file is not there */
        NOT_FOUND,
        /** a runtime exception from a broken implementation (a bundle being stopped) */
        RUNTIME
    }

    private final Origin origin;
    private volatile Mode mode = new Healthy();
    private volatile boolean faultMetadata;
    private volatile CountDownLatch healed = new CountDownLatch(1);
    private final AtomicLong callsInMode = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();

    public FaultyOrigin(Origin origin) {
        this.origin = origin;
    }

    /** @return the wrapped origin */
    public Origin delegate() {
        return origin;
    }

    /** Switches to a mode; call counting for the nth/after modes starts again. */
    public FaultyOrigin mode(Mode newMode) {
        callsInMode.set(0);
        mode = newMode;
        return this;
    }

    /** Back to healthy; ends hangs in progress. */
    public FaultyOrigin heal() {
        CountDownLatch old = healed;
        healed = new CountDownLatch(1);
        mode(new Healthy());
        old.countDown();
        return this;
    }

    /** Whether {@link #walk}, {@link #stat} and {@link #watch} get the faults too (off by default). */
    public FaultyOrigin faultMetadata(boolean on) {
        faultMetadata = on;
        return this;
    }

    /** @return reads that reached the wrapped origin */
    public long reads() {
        return reads.get();
    }

    /** @return bytes the wrapped origin delivered */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** @return calls failed, hung or shortened on purpose */
    public long faultsInjected() {
        return injected.get();
    }

    public void resetCounters() {
        reads.set(0);
        bytesRead.set(0);
        injected.set(0);
    }

    @Override
    public String id() {
        return origin.id();
    }

    @Override
    public String type() {
        return origin.type();
    }

    @Override
    public int priority() {
        return origin.priority();
    }

    @Override
    public boolean remote() {
        return origin.remote();
    }

    @Override
    public void walk(OriginVisitor visitor) throws IOException {
        if (faultMetadata) {
            beforeCall("walk");
        }
        origin.walk(visitor);
    }

    @Override
    public OriginEntry stat(String path) throws IOException {
        if (faultMetadata) {
            beforeCall(path);
        }
        return origin.stat(path);
    }

    @Override
    public int read(String path, long offset, ByteBuffer dst) throws IOException {
        Mode m = beforeCall(path);
        if (m instanceof Partial p && dst.remaining() > p.bytes()) {
            injected.incrementAndGet();
            ByteBuffer part = dst.slice(dst.position(), p.bytes());
            int n = origin.read(path, offset, part);
            if (n > 0) {
                dst.position(dst.position() + n);
                count(n);
            }
            return n;
        }
        int n = origin.read(path, offset, dst);
        count(n);
        return n;
    }

    @Override
    public void probe() throws IOException {
        beforeCall("probe");
        origin.probe();
    }

    @Override
    public Optional<OriginWatch> watch(Consumer<OriginChange> listener) throws IOException {
        if (faultMetadata) {
            beforeCall("watch");
        }
        return origin.watch(listener);
    }

    private void count(int n) {
        reads.incrementAndGet();
        if (n > 0) {
            bytesRead.addAndGet(n);
        }
    }

    /** Applies the current mode to one call: throws, hangs, or returns the mode for the call to follow. */
    private Mode beforeCall(String subject) throws IOException {
        Mode m = mode;
        long call = callsInMode.incrementAndGet();
        if (m instanceof FailEveryNth f && call % f.n() == 0) {
            throw failure(f.error(), subject);
        } else if (m instanceof FailAfter f && call > f.n()) {
            throw failure(f.error(), subject);
        } else if (m instanceof Fail f) {
            throw failure(f.error(), subject);
        } else if (m instanceof Hang h) {
            injected.incrementAndGet();
            try {
                healed.await(h.time().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(origin.id() + ": interrupted while hanging on " + subject);
            }
        }
        return m;
    }

    private IOException failure(Kind kind, String subject) {
        injected.incrementAndGet();
        return switch (kind) {
            case IO -> new IOException(origin.id() + ": injected I/O error on " + subject);
            case NOT_FOUND -> new NoSuchFileException(subject, null, origin.id() + ": injected: not found");
            case RUNTIME -> throw new IllegalStateException(origin.id() + ": injected runtime failure on " + subject);
        };
    }
}
