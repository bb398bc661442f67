package io.musicfs.origin.sftp.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lends an origin's SFTP connections to callers, one caller per connection at a time. At most
 * {@code maxSessions} connections exist at once (lent, idle or being opened); idle ones are reused
 * most recently used first, kept alive by SSHD's heartbeat, and closed after {@code idleClose}. A
 * call that fails because a reused connection turned out dead (the server restarted, a NAT forgot
 * it) is retried once on a new connection; every call the origin makes is a read, so a retry is
 * safe.
 *
 * <p>A caller that finds no idle connection starts opening one in the background and takes
 * whichever comes first: that one, or a connection another caller gives back. An SSH handshake
 * costs several round trips and key exchange, a read one round trip, so a burst of reads does not
 * wait for handshakes while the connections it already has come free; a connection opened for a
 * caller that did not need it any more joins the idle ones.
 *
 * <p>Threading: a fair semaphore holds one permit per caller that holds or is opening a
 * connection. The idle deque, the counters and the last connect failure are guarded by
 * {@code this}; connections are opened and closed outside that lock. The idle check runs on the
 * pool's own daemon thread, stopped by {@link #close()}.
 */
final class SessionPool implements AutoCloseable {

    /** Opens a new, authenticated connection. */
    @FunctionalInterface
    interface Connector {
        SftpConnection open() throws IOException;
    }

    /** Work done with a lent connection's SFTP client. */
    @FunctionalInterface
    interface SftpCall<T> {
        T run(SftpClient sftp) throws IOException;
    }

    /** Work done with a lent connection. */
    @FunctionalInterface
    interface ConnectionCall<T> {
        T run(SftpConnection connection) throws IOException;
    }

    /** After a connect failed, callers get its error at once for this long instead of each trying again. */
    static final Duration CONNECT_RETRY_PAUSE = Duration.ofSeconds(1);
    /** Bounds on how often idle connections are looked at (a quarter of the idle time in between). */
    private static final long MIN_IDLE_CHECK_MILLIS = 100;
    private static final long MAX_IDLE_CHECK_MILLIS = 15_000;

    private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);

    private final SftpSettings settings;
    private final Connector connector;
    private final Semaphore permits;
    private final ScheduledExecutorService idleCheck;
    /** Opens connections for callers waiting for one (at most one open per slot, so at most maxSessions at once). */
    private final ExecutorService opener;

    // Guarded by this.
    /** Idle connections, most recently returned first. */
    private final Deque<SftpConnection> idle = new ArrayDeque<>();
    /** Connections that exist: lent, idle, and being opened. */
    private int open;
    private int peak;
    /** Connections opened since the pool started. */
    private long opened;
    private boolean closed;
    private IOException lastConnectFailure;
    private long lastConnectFailureNanos;

    SessionPool(SftpSettings settings, Connector connector) {
        this.settings = settings;
        this.connector = connector;
        this.permits = new Semaphore(settings.maxSessions(), true);
        this.idleCheck = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "musicfs-sftp-idle-" + settings.id());
            thread.setDaemon(true);
            return thread;
        });
        this.opener = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "musicfs-sftp-connect-" + settings.id());
            thread.setDaemon(true);
            thread.setPriority(Thread.NORM_PRIORITY); // it serves reads, whichever thread (a background sync) made it
            return thread;
        });
        long every = Math.max(MIN_IDLE_CHECK_MILLIS, Math.min(MAX_IDLE_CHECK_MILLIS, settings.idleClose().toMillis() / 4));
        idleCheck.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code call} on a lent connection. An {@link SftpException} (the server's answer, such
     * as "no such file") is thrown as it is; any other failure closes the connection and, when the
     * connection was a reused one, the call is made once more on a new connection.
     *
     * @param what what the call does, for messages ({@code "read /music/a.flac"})
     * @param maxWait how long to wait for a free connection when all are lent
     * @throws IOException naming the origin and the server when no connection could be had or the call failed on one
     */
    <T> T call(String what, SftpCall<T> call, Duration maxWait) throws IOException {
        return callOnConnection(what, connection -> call.run(connection.sftp()), maxWait);
    }

    /**
     * {@link #call} with the lent connection itself; the answers of its earlier deferred closes
     * that have arrived are taken first ({@link SftpConnection#settleCloses}).
     */
    <T> T callOnConnection(String what, ConnectionCall<T> call, Duration maxWait) throws IOException {
        for (int attempt = 1;; attempt++) {
            Lease lease = borrow(maxWait, attempt > 1);
            T result;
            try {
                lease.connection.settleCloses(settings.readTimeout());
                result = call.run(lease.connection);
            } catch (SftpException e) {
                release(lease); // the server answered: the connection is fine
                throw e;
            } catch (IOException | RuntimeException e) {
                discard(lease);
                boolean retry = attempt == 1 && lease.reused && !interruption(e)
                        && !Thread.currentThread().isInterrupted() && !isClosed();
                if (!retry) {
                    throw failure(what, e);
                }
                LOG.info("{}: {} failed on a reused connection ({}); retrying once on a new connection",
                        settings.where(), what, describe(e));
                continue;
            }
            release(lease);
            return result;
        }
    }

    /** @return deferred closes whose answers the idle connections have not taken yet */
    synchronized int closesInFlight() {
        return idle.stream().mapToInt(SftpConnection::closesInFlight).sum();
    }

    /** @return how many connections exist now (lent, idle or being opened) */
    synchronized int openConnections() {
        return open;
    }

    /** @return the most connections that existed at once */
    synchronized int peakConnections() {
        return peak;
    }

    /** @return how many connections were opened since the pool started */
    synchronized long connectionsOpened() {
        return opened;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Closes the idle connections and stops lending; lent ones are closed when they come back. */
    @Override
    public void close() {
        List<SftpConnection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(idle);
            open -= idle.size();
            idle.clear();
            notifyAll(); // callers waiting for a connection see the pool closed
        }
        idleCheck.shutdownNow();
        opener.shutdown(); // an open under way ends by itself and closes its connection (the pool is closed)
        toClose.forEach(SftpConnection::closeNow);
    }

    /** A connection lent to one caller; {@code reused} when it had been idle in the pool. */
    private record Lease(SftpConnection connection, boolean reused) {
    }

    private Lease borrow(Duration maxWait, boolean fresh) throws IOException {
        try {
            if (!permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException(settings.where() + ": all " + settings.maxSessions() + " connections stayed busy for "
                        + maxWait.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(settings.where() + ": interrupted waiting for a free connection");
        }
        boolean lent = false;
        try {
            Lease lease = fresh ? borrowFresh() : awaitConnection();
            lent = true;
            return lease;
        } finally {
            if (!lent) {
                permits.release();
            }
        }
    }

    /** A new connection, opened by the caller (a retry after a reused one was found dead: the idle ones may be dead too). */
    private Lease borrowFresh() throws IOException {
        SftpConnection oldest = null;
        synchronized (this) {
            if (closed) {
                throw new IOException(settings.where() + ": the origin is closed");
            }
            checkRecentConnectFailure();
            if (open >= settings.maxSessions() && !idle.isEmpty()) {
                // idle ones may hold every slot: the oldest goes
                oldest = idle.pollLast();
                open--;
            }
            reserve();
        }
        if (oldest != null) {
            oldest.closeNow();
        }
        return new Lease(openReserved(), false);
    }

    /**
     * An idle connection, or else whichever comes first: a connection opened in the background for
     * this caller (when a slot is free), or one another caller gives back.
     */
    private Lease awaitConnection() throws IOException {
        List<SftpConnection> toClose = new ArrayList<>();
        Opening opening = null;
        boolean opened = false;
        SftpConnection reused = null;
        try {
            synchronized (this) {
                while (true) {
                    if (closed) {
                        throw new IOException(settings.where() + ": the origin is closed");
                    }
                    reused = pollIdle(toClose);
                    if (reused != null) {
                        break;
                    }
                    if (opening != null && opening.result.isDone()) {
                        opened = true;
                        break;
                    }
                    if (opening == null && open < settings.maxSessions()) {
                        checkRecentConnectFailure();
                        reserve();
                        opening = openInBackground();
                        continue;
                    }
                    wait(); // woken by a connection given back, an open that ended, a slot freed, or the pool closing
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(settings.where() + ": interrupted waiting for a connection");
        } finally {
            if (opening != null && !opened) {
                abandon(opening, toClose);
            }
            toClose.forEach(SftpConnection::closeNow);
        }
        if (reused != null) {
            return new Lease(reused, true);
        }
        try {
            return new Lease(opening.result.join(), false);
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof IOException io) {
                throw io;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw failed.getCause() instanceof RuntimeException runtime ? runtime : failed;
        }
    }

    /** Counts a slot for a connection about to be opened; the caller holds the lock. */
    private void reserve() {
        open++;
        peak = Math.max(peak, open);
    }

    /** @return the most recently returned idle connection that is still open, or null; the caller holds the lock */
    private SftpConnection pollIdle(List<SftpConnection> toClose) {
        while (!idle.isEmpty()) {
            SftpConnection candidate = idle.pollFirst();
            if (candidate.isOpen()) {
                return candidate;
            }
            open--;
            toClose.add(candidate);
        }
        return null;
    }

    /** A connection being opened in the background for a caller, who may take another one first. */
    private static final class Opening {
        final CompletableFuture<SftpConnection> result = new CompletableFuture<>();
        // Guarded by the pool.
        /** the caller went without it: it joins the idle connections (or is closed with the pool) */
        boolean abandoned;
        /** the open ended and the pool has seen it */
        boolean settled;
    }

    /** Opens a connection into a reserved slot on the opener thread; the caller holds the lock. */
    private Opening openInBackground() {
        Opening opening = new Opening();
        try {
            opener.execute(() -> {
                try {
                    opening.result.complete(openReserved());
                } catch (Throwable e) { // whatever it is, the waiting caller gets it
                    opening.result.completeExceptionally(e);
                }
                List<SftpConnection> toClose = new ArrayList<>(1);
                synchronized (this) {
                    opening.settled = true;
                    keepIfAbandoned(opening, toClose);
                    notifyAll();
                }
                toClose.forEach(SftpConnection::closeNow);
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            open--;
            opening.settled = true;
            opening.result.completeExceptionally(new IOException(settings.where() + ": the origin is closed"));
        }
        return opening;
    }

    /** The caller no longer waits for {@code opening}: its connection, once there, is the pool's. */
    private synchronized void abandon(Opening opening, List<SftpConnection> toClose) {
        opening.abandoned = true;
        keepIfAbandoned(opening, toClose);
    }

    /**
     * Once an open is both abandoned and settled, its connection joins the idle ones; called once by
     * each of the two, so it acts on the second. The caller holds the lock.
     */
    private void keepIfAbandoned(Opening opening, List<SftpConnection> toClose) {
        if (!opening.abandoned || !opening.settled) {
            return;
        }
        SftpConnection connection = opening.result.isCompletedExceptionally() ? null : opening.result.getNow(null);
        if (connection == null) { // the open failed and gave its slot back; a caller that needs a new connection will say why
            LOG.debug("{}: a connection opened for a caller who took another one failed: {}", settings.where(),
                    opening.result.handle((ignored, failure) -> String.valueOf(failure)).getNow("?"));
            return;
        }
        if (closed) {
            open--;
            toClose.add(connection);
        } else {
            addIdle(connection);
        }
    }

    /** Puts a connection among the idle ones and wakes the callers waiting for one; the caller holds the lock. */
    private void addIdle(SftpConnection connection) {
        connection.idleSinceNanos = System.nanoTime();
        idle.addFirst(connection);
        notifyAll();
    }

    /** Opens a connection into a slot already counted in {@link #open}, giving the slot back on failure. */
    private SftpConnection openReserved() throws IOException {
        SftpConnection connection;
        try {
            connection = connector.open();
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                open--;
                if (e instanceof IOException io && !interruption(io)) {
                    lastConnectFailure = io;
                    lastConnectFailureNanos = System.nanoTime();
                }
            }
            throw e;
        }
        boolean closedMeanwhile;
        synchronized (this) {
            closedMeanwhile = closed;
            if (closedMeanwhile) {
                open--;
            } else {
                opened++;
                lastConnectFailure = null;
            }
        }
        if (closedMeanwhile) {
            connection.closeNow();
            throw new IOException(settings.where() + ": the origin is closed");
        }
        return connection;
    }

    /** Fails at once with the last connect failure while it is recent; the caller holds the lock. */
    private void checkRecentConnectFailure() throws IOException {
        if (lastConnectFailure != null && System.nanoTime() - lastConnectFailureNanos < CONNECT_RETRY_PAUSE.toNanos()) {
            String message = lastConnectFailure.getMessage() + " (failed less than " + CONNECT_RETRY_PAUSE.toSeconds() + " s ago)";
            IOException again = lastConnectFailure instanceof UnknownHostException
                    ? new UnknownHostException(message) : new IOException(message);
            again.initCause(lastConnectFailure);
            throw again;
        }
    }

    private void release(Lease lease) {
        SftpConnection connection = lease.connection;
        boolean close;
        synchronized (this) {
            close = closed || !connection.isOpen();
            if (close) {
                open--;
                notifyAll(); // a slot is free for a caller waiting for one
            } else {
                addIdle(connection); // a caller waiting for a new connection may take this one first
            }
        }
        if (close) {
            connection.closeNow();
        }
        permits.release();
    }

    private void discard(Lease lease) {
        synchronized (this) {
            open--;
            notifyAll(); // a slot is free for a caller waiting for one
        }
        lease.connection.closeNow();
        permits.release();
    }

    /** Closes connections idle longer than the idle time, and any SSHD found dead meanwhile. */
    void closeIdle() {
        long now = System.nanoTime();
        long idleNanos = settings.idleClose().toNanos();
        List<SftpConnection> expired = new ArrayList<>();
        synchronized (this) {
            for (Iterator<SftpConnection> oldestFirst = idle.descendingIterator(); oldestFirst.hasNext();) {
                SftpConnection connection = oldestFirst.next();
                if (!connection.isOpen() || now - connection.idleSinceNanos >= idleNanos) {
                    oldestFirst.remove();
                    open--;
                    expired.add(connection);
                }
            }
        }
        if (!expired.isEmpty()) {
            LOG.debug("{}: closing {} idle connection(s)", settings.where(), expired.size());
            expired.forEach(SftpConnection::closeNow);
        }
    }

    /** @return whether the call was interrupted (the daemon stopping), not failed; a timeout is a failure */
    private static boolean interruption(Throwable e) {
        return e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException);
    }

    private IOException failure(String what, Exception e) {
        if (interruption(e)) {
            InterruptedIOException interrupted = new InterruptedIOException(settings.where() + ": " + what + " interrupted");
            interrupted.initCause(e);
            return interrupted;
        }
        if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(settings.where())) {
            return io; // already says which origin and server
        }
        return new IOException(settings.where() + ": " + what + " failed: " + describe(e), e);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
