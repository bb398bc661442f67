package io.musicfs.origin.sftp.internal;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;

/**
 * One SSH connection to an origin's server and the SFTP channel on it. Used by one thread at a
 * time: the {@link SessionPool} lends it to one caller, and only the pool reads or writes
 * {@link #idleSinceNanos}, under its own lock.
 */
final class SftpConnection {

    private final ClientSession session;
    private final SftpClient sftp;
    /** When the connection went back to the pool ({@link System#nanoTime}); guarded by the pool. */
    long idleSinceNanos;

    SftpConnection(ClientSession session, SftpClient sftp) {
        this.session = session;
        this.sftp = sftp;
    }

    SftpClient sftp() {
        return sftp;
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
