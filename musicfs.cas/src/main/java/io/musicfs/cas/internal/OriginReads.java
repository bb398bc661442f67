package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.origin.Origin;

/**
 * Ranged origin reads with a deadline. Each call runs on this class's own bounded pool while the
 * caller (a FUSE thread) waits at most the deadline; a call that misses it is interrupted and left
 * behind, still running if the origin ignores interrupts. Its caller must then treat the buffer it
 * passed as still being written into (see {@link ChunkBufferPool#abandon}).
 *
 * <p>Bulkheads: at most {@link #CALLS_PER_ORIGIN} calls run against one origin at a time, so a hung
 * origin holds at most that many threads and never starves calls to the others; a caller that cannot
 * get a slot within its deadline fails like a call that timed out. Background callers (read-ahead)
 * do not wait for a slot at all: when the origin is busy they are told so ({@link NoFreeSlot}) and
 * give up, so read-ahead never queues in front of a reader.
 *
 * <p>Threading: callers from any thread. The pool's {@link #THREADS} threads ({@code musicfs-cas-origin-N})
 * start with it and live until {@link #close}; they only run origin calls; they never wait
 * for a caller or for each other, so callers cannot starve the pool they wait on. No locks.
 */
final class OriginReads implements AutoCloseable {

    /**
     * Origin calls running at once over all origins; more wait in the queue, within their deadline.
     * Eight origins can hang with every slot held before calls to the others have to queue.
     */
    static final int THREADS = 64;
    /** Origin calls running at once against one origin: what one hung origin can hold. */
    static final int CALLS_PER_ORIGIN = 8;

    private final ThreadPoolExecutor pool;
    private final ConcurrentHashMap<String, Semaphore> slotsByOrigin = new ConcurrentHashMap<>();

    OriginReads() {
        AtomicInteger threadNumber = new AtomicInteger();
        pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "musicfs-cas-origin-" + threadNumber.incrementAndGet());
            t.setPriority(Thread.NORM_PRIORITY); // a reader waits: never the lowered priority of a background creator
            t.setDaemon(true);
            return t;
        });
        // Started now and kept: a pool below its core size starts a thread for every call, even with
        // idle ones waiting, so a cold track start would pay a thread start on top of its round trip.
        // Parked threads cost a little memory each and no CPU.
        pool.prestartAllCoreThreads();
    }

    /** The origin already runs {@link #CALLS_PER_ORIGIN} calls and the caller chose not to wait; nothing was started. */
    static final class NoFreeSlot extends IOException {
        private static final long serialVersionUID = 1L;

        NoFreeSlot(String originId) {
            super(originId + ": " + CALLS_PER_ORIGIN + " calls already running");
        }
    }

    /** {@link #read(Origin, String, long, ByteBuffer, long, boolean)} waiting for a slot within the deadline. */
    int read(Origin origin, String path, long offset, ByteBuffer dst, long timeoutNanos)
            throws IOException, TimeoutException, InterruptedException {
        return read(origin, path, offset, dst, timeoutNanos, true);
    }

    /**
     * Reads the file from {@code offset} into {@code dst} until its limit or the end of the file.
     *
     * @param waitForSlot whether to wait (within the deadline) when the origin already runs its
     *     {@link #CALLS_PER_ORIGIN} calls; when false, fail at once with {@link NoFreeSlot}
     * @return the number of bytes read (fewer than asked only at the end of the file, 0 past it)
     * @throws TimeoutException when the deadline passed; the call may still be writing into {@code dst}
     * @throws InterruptedException when the caller was interrupted; the call may still be writing into {@code dst}
     * @throws NoFreeSlot when the origin is busy and {@code waitForSlot} is false; {@code dst} is untouched
     * @throws IOException the origin's failure, or this pool being stopped
     */
    int read(Origin origin, String path, long offset, ByteBuffer dst, long timeoutNanos, boolean waitForSlot)
            throws IOException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        Semaphore slots = slotsByOrigin.computeIfAbsent(origin.id(), id -> new Semaphore(CALLS_PER_ORIGIN));
        if (!waitForSlot) {
            if (!slots.tryAcquire()) {
                throw new NoFreeSlot(origin.id());
            }
        } else if (!slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
            throw new TimeoutException(CALLS_PER_ORIGIN + " earlier calls still running");
        }
        // Whoever claims the call releases its slot: the call when it runs, or the caller when it
        // gives up on a call that never started (a cancelled queued task never runs).
        AtomicBoolean claimed = new AtomicBoolean();
        Future<Integer> call;

        try {
            call = pool.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return 0;
                }
                try {
                    return readOnce(origin, path, offset, dst);
                } finally {
                    slots.release();
                }
            });
        } catch (RejectedExecutionException e) {
            slots.release();
            throw new IOException("content reader stopped", e);
        }
        try {
            return call.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            call.cancel(true);
            if (claimed.compareAndSet(false, true)) {
                slots.release();
            }
            throw e;
        } catch (CancellationException e) {
            // Dropped from the queue by close() before it ran.
            if (claimed.compareAndSet(false, true)) {
                slots.release();
            }
            throw new IOException("content reader stopped", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
        }
    }

    /** {@link Origin#read} fills the buffer unless the file ends first, so one call is enough. */
    private static int readOnce(Origin origin, String path, long offset, ByteBuffer dst) throws IOException {
        try {
            return Math.max(origin.read(path, offset, dst), 0);
        } catch (RuntimeException e) {
            // An origin whose bundle is stopping can fail any way; to the caller it is one failed call.
            throw new IOException(e.toString(), e);
        }
    }

    /** Stops the pool: running calls are interrupted, queued ones dropped (their callers time out or are cancelled). */
    @Override
    public void close() {
        for (Runnable queued : pool.shutdownNow()) {
            if (queued instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }
}
