package io.musicfs.origin.sftp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

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

/**
 * Fills a buffer from an open remote file with pipelined SFTP reads: up to {@link #MAX_IN_FLIGHT}
 * requests are sent before the first answer is awaited, so a 1 MiB chunk costs about one round
 * trip instead of one per request (SSHD's {@code SftpClient.read} waits for each answer).
 *
 * <p>Answers are taken in order. A short answer (a server that caps its reads below what was asked,
 * or a file that ended) ends the round: the answers after it are drained and dropped, later
 * requests are made the size the server gave, and the next round starts where the data stopped.
 * An answer shorter than {@link #SURE_READ_BYTES} is the end of the file: a server reads "as many
 * bytes as it can" and should take reads of that size whole (SFTP draft 02, sections 3 and 6.4), so
 * the common read of a small file costs one round trip, not a second one to be told the file ended.
 * A longer answer that is short may be a server's cap, so a round that asks for all that is wanted
 * also asks for its last byte alone: when the data stops one byte before the end asked for and that
 * byte is past the end of the file, the file ends there. That is the read of every track's last
 * chunk, which the cache asks for one byte past the catalogued end, to notice a file that grew: it
 * too costs one round trip.
 * A request is handed to the channel without waiting until it is on the wire: its answer cannot
 * come before, and the wait would cost a thread switch per request.
 * Runs on the thread that holds the connection.
 */
final class RangedRead {

    /** Bytes asked for in one request; well under what servers allow (OpenSSH: 255 KiB). */
    static final int REQUEST_BYTES = 128 * 1024;
    /** Requests in flight at once: 2 MiB, within the connector's 8 MiB channel window. */
    static final int MAX_IN_FLIGHT = 16;
    /** Reads every server should answer whole: packets of 34000 bytes, 32768 bytes of data (SFTP draft 02). */
    static final int SURE_READ_BYTES = 32 * 1024;
    /** Rounds of requests sent since the class was loaded; tests compare it before and after a read. */
    static final LongAdder ROUNDS = new LongAdder();

    private RangedRead() {
    }

    /**
     * @return the bytes read into {@code dst}, fewer than it had room for only when the file ended,
     *     or -1 when {@code offset} is at or past the end
     * @throws SftpException the server's error for a read (the connection is fine)
     * @throws IOException when the connection failed or an answer did not come within {@code timeout}
     */
    static int read(SftpClient sftp, byte[] handle, long offset, ByteBuffer dst, Duration timeout) throws IOException {
        RawSftpClient raw = (RawSftpClient) sftp;
        int requestBytes = REQUEST_BYTES;
        int total = 0;
        boolean eof = false;
        while (dst.hasRemaining() && !eof) {
            ROUNDS.increment();
            int wanted = dst.remaining();
            int count = Math.min(MAX_IN_FLIGHT, (wanted + requestBytes - 1) / requestBytes);
            SftpMessage[] requests = new SftpMessage[count];
            int[] lengths = new int[count];
            for (int i = 0; i < count; i++) {
                lengths[i] = Math.min(requestBytes, wanted - i * requestBytes);
                requests[i] = raw.write(SftpConstants.SSH_FXP_READ, readRequest(handle, offset + total + (long) i * requestBytes, lengths[i]));
            }
            // The last byte asked for, alone: whether the file reaches it (see the class comment).
            SftpMessage lastByte = wanted > SURE_READ_BYTES && (long) count * requestBytes >= wanted
                    ? raw.write(SftpConstants.SSH_FXP_READ, readRequest(handle, offset + total + wanted - 1, 1))
                    : null;
            int before = total;
            boolean contiguous = true;
            SftpException error = null;
            for (int i = 0; i < count; i++) {
                Buffer answer = SftpConnection.answer(raw, requests[i], timeout, "a read");
                if (!contiguous) {
                    continue; // drained: every answer must be taken, or it stays in the client's queue
                }
                SftpResponse response = SftpResponse.parse(SftpConstants.SSH_FXP_READ, answer);
                if (response.getType() == SftpConstants.SSH_FXP_DATA) {
                    Buffer data = response.getBuffer();
                    int n = data.getInt();
                    if (n < 0 || n > lengths[i] || n > data.available()) {
                        throw new SshException("SFTP protocol violation: asked for " + lengths[i] + " bytes, got " + n);
                    }
                    dst.put(data.array(), data.rpos(), n);
                    total += n;
                    if (n < lengths[i]) {
                        contiguous = false;
                        if (n < SURE_READ_BYTES) {
                            eof = true; // less than any server caps a read to: the file ends here
                        } else if (i < count - 1) {
                            requestBytes = n; // the server caps its reads: ask for what it gives
                        }
                    }
                } else if (response.getType() == SftpConstants.SSH_FXP_STATUS) {
                    SftpStatus status = SftpStatus.parse(response);
                    contiguous = false;
                    if (status.getStatusCode() == SftpConstants.SSH_FX_EOF) {
                        eof = true;
                    } else {
                        error = new SftpException(status.getStatusCode(), status.getMessage());
                    }
                } else {
                    throw new SshException("SFTP protocol violation: answer of type " + response.getType() + " to a read");
                }
            }
            if (lastByte != null) {
                boolean pastTheEnd = isEof(SftpConnection.answer(raw, lastByte, timeout, "a read"));
                if (pastTheEnd && error == null && !eof && total - before == wanted - 1) {
                    eof = true; // the data stopped one byte short of the end asked for, and that byte is past the end of the file
                }
            }
            if (error != null) {
                throw error;
            }
            if (total == before && !eof) {
                throw new SshException("SFTP server answered a read at offset " + (offset + total) + " with no data and no end of file");
            }
        }
        return total == 0 && eof ? -1 : total;
    }

    private static Buffer readRequest(byte[] handle, long offset, int length) {
        Buffer request = new ByteArrayBuffer(handle.length + Long.SIZE, false);
        request.putBytes(handle);
        request.putLong(offset);
        request.putUInt(length);
        return request;
    }

    /** @return whether the answer to a read is the end of the file; any other answer (data, another status) says nothing here */
    private static boolean isEof(Buffer answer) throws IOException {
        SftpResponse response = SftpResponse.parse(SftpConstants.SSH_FXP_READ, answer);
        return response.getType() == SftpConstants.SSH_FXP_STATUS
                && SftpStatus.parse(response).getStatusCode() == SftpConstants.SSH_FX_EOF;
    }
}
