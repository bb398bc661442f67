package io.musicfs.origin.sftp.internal;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpMessage;
import org.apache.sshd.sftp.client.impl.SftpResponse;
import org.apache.sshd.sftp.client.impl.SftpStatus;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH connection to an origin's server and the SFTP channel on it. Used by one thread at a
 * time: the {@link SessionPool} lends it to one caller, and only the pool reads or writes
 * {@link #idleSinceNanos}, under its own lock.
 */
final class SftpConnection {

    /** Closes whose answer may be outstanding at once; beyond that the oldest answer is waited for. */
    static final int MAX_CLOSES_IN_FLIGHT = 32;

    private static final Logger LOG = LoggerFactory.getLogger(SftpConnection.class);

    private final ClientSession session;
    private final SftpClient sftp;
    /** Request ids of closes sent whose answers are not taken yet; only the borrower touches it. */
    private final ArrayDeque<Integer> closesInFlight = new ArrayDeque<>();
    /** When the connection went back to the pool ({@link System#nanoTime}); guarded by the pool. */
    long idleSinceNanos;

    SftpConnection(ClientSession session, SftpClient sftp) {
        this.session = session;
        this.sftp = sftp;
    }

    SftpClient sftp() {
        return sftp;
    }

    /**
     * Opens a remote file for reading. With SFTP version 3 (OpenSSH and most servers) the request
     * is written here and handed to the channel without waiting until it is on the wire, as
     * SSHD's {@code open} does: its answer cannot come before, and that wait costs a thread switch
     * on the path of every cold read. Other versions go through SSHD's {@code open}.
     *
     * @return the server's handle of the open file
     * @throws SftpException the server's refusal (no such file, permission denied...; the connection is fine)
     * @throws SocketTimeoutException when no answer came within {@code timeout}
     */
    byte[] openForReading(String remote, Duration timeout) throws IOException {
        if (sftp.getVersion() != SftpConstants.SFTP_V3) {
            return sftp.open(remote, SftpClient.OpenMode.Read).getIdentifier();
        }
        Buffer request = new ByteArrayBuffer(remote.length() * 3 + Long.SIZE, false);
        request.putString(remote, sftp.getNameDecodingCharset());
        request.putInt(SftpConstants.SSH_FXF_READ);
        request.putInt(0); // no attributes
        RawSftpClient raw = (RawSftpClient) sftp;
        SftpResponse response = SftpResponse.parse(SftpConstants.SSH_FXP_OPEN,
                answer(raw, raw.write(SftpConstants.SSH_FXP_OPEN, request), timeout, "an open"));
        if (response.getType() == SftpConstants.SSH_FXP_HANDLE) {
            byte[] handle = response.getBuffer().getBytes();
            if (handle.length == 0) {
                throw new SshException("SFTP protocol violation: an empty handle for an open file");
            }
            return handle;
        }
        if (response.getType() == SftpConstants.SSH_FXP_STATUS) {
            SftpStatus status = SftpStatus.parse(response);
            throw new SftpException(status.getStatusCode(), status.getMessage());
        }
        throw new SshException("SFTP protocol violation: answer of type " + response.getType() + " to an open");
    }

    /**
     * Closes a remote file handle without waiting for the server's answer: a read then costs two
     * round trips (open, read) instead of three. The server handles requests in order, so the
     * handle is closed before anything sent after it runs. The answer is taken by the
     * {@link #settleCloses} the pool runs before each call on this connection, as every answer must
     * be taken, or it would stay in the client's queue.
     */
    void closeLater(byte[] handle) throws IOException {
        Buffer request = new ByteArrayBuffer(handle.length + Long.SIZE, false);
        request.putBytes(handle);
        closesInFlight.add(((RawSftpClient) sftp).write(SftpConstants.SSH_FXP_CLOSE, request).getId());
    }

    /**
     * @return the answer to a request written without waiting until it was sent
     * @throws IOException why the request could not be sent, when it could not
     * @throws SocketTimeoutException when no answer came within {@code timeout}
     */
    static Buffer answer(RawSftpClient raw, SftpMessage request, Duration timeout, String what) throws IOException {
        Buffer answer = raw.receive(request.getId(), timeout);
        if (answer != null) {
            return answer;
        }
        Throwable unsent = request.getFuture().getException();
        if (unsent != null) {
            throw unsent instanceof IOException io ? io : new SshException("could not send " + what + " request: " + unsent, unsent);
        }
        throw new SocketTimeoutException("no answer to " + what + " within " + timeout.toSeconds() + " s (readTimeoutSeconds)");
    }

    /**
     * Takes the answers of earlier closes that have arrived; waits (at most {@code timeout}) only
     * while {@link #MAX_CLOSES_IN_FLIGHT} or more are outstanding. A refused close leaves the
     * handle to the end of the server's session: worth a debug line, not a failure.
     *
     * @throws SocketTimeoutException when the oldest answer does not come within {@code timeout}
     */
    void settleCloses(Duration timeout) throws IOException {
        RawSftpClient raw = (RawSftpClient) sftp;
        while (!closesInFlight.isEmpty()) {
            boolean mustWait = closesInFlight.size() >= MAX_CLOSES_IN_FLIGHT;
            Buffer answer = raw.receive(closesInFlight.peek(), mustWait ? timeout : Duration.ZERO);
            if (answer == null) {
                if (mustWait) {
                    throw new SocketTimeoutException("no answer to a close within " + timeout.toSeconds() + " s (readTimeoutSeconds)");
                }
                return;
            }
            closesInFlight.poll();
            SftpResponse response = SftpResponse.parse(SftpConstants.SSH_FXP_CLOSE, answer);
            if (response.getType() == SftpConstants.SSH_FXP_STATUS) {
                SftpStatus status = SftpStatus.parse(response);
                if (status.getStatusCode() != SftpConstants.SSH_FX_OK) {
                    LOG.debug("close of a remote file refused: {} ({})", status.getMessage(),
                            SftpConstants.getStatusName(status.getStatusCode()));
                }
            }
        }
    }

    /** @return closes sent whose answers are not taken yet */
    int closesInFlight() {
        return closesInFlight.size();
    }

    /** @return whether neither the connection nor the channel has been closed (SSHD notices a dead peer on its own) */
    boolean isOpen() {
        return session.isOpen() && !session.isClosing() && sftp.isOpen();
    }

    /**
     * Drops the connection at once, without waiting. Used for idle connections too: a graceful SSH
     * close races the SFTP channel's own close, and SSHD then warns about the channel's EOF.
     */
    void closeNow() {
        session.close(true);
    }
}
