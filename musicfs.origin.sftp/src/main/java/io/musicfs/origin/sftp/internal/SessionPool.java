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
import java.util.concurrent.Executors;
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
        }
        idleCheck.shutdownNow();
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
            List<SftpConnection> toClose = new ArrayList<>();
            SftpConnection reusable = null;
            synchronized (this) {
                if (closed) {
                    throw new IOException(settings.where() + ": the origin is closed");
                }
                while (!fresh && reusable == null && !idle.isEmpty()) {
                    SftpConnection candidate = idle.pollFirst();
                    if (candidate.isOpen()) {
                        reusable = candidate;
                    } else {
                        open--;
                        toClose.add(candidate);
                    }
                }
                if (reusable == null) {
                    checkRecentConnectFailure();
                    if (open >= settings.maxSessions() && !idle.isEmpty()) {
                        // A retry after a dead connection may find idle ones holding every slot: the oldest goes.
                        toClose.add(idle.pollLast());
                        open--;
                    }
                    open++; // reserved for the connection about to be opened
                    peak = Math.max(peak, open);
                }
            }
            toClose.forEach(SftpConnection::closeNow);
            if (reusable != null) {
                lent = true;
                return new Lease(reusable, true);
            }
            Lease lease = new Lease(openReserved(), false);
            lent = true;
            return lease;
        } finally {
            if (!lent) {
                permits.release();
            }
        }
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
            } else {
                connection.idleSinceNanos = System.nanoTime();
                idle.addFirst(connection);
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
