package io.musicfs.origin.sftp.internal;

import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Accepts a server only when its host key is in the origin's known_hosts file, as ssh's
 * {@code StrictHostKeyChecking yes} does: an unknown, changed or revoked key is refused and never
 * written to the file. The refusal, with the key's fingerprint and the command that accepts it, is
 * left on the session as {@link #REFUSAL} for the connector to report; SSHD itself only says the
 * key "did not validate".
 *
 * <p>The file is re-read when it changes, so a key added with {@code ssh-keyscan} counts from the
 * next connection. Called on SSHD's I/O threads.
 */
final class KnownHostsVerifier extends KnownHostsServerKeyVerifier {

    private final SftpSettings settings;
    /** Why a session's host key was refused, until the connector takes it; weak so a session never taken is not kept. */
    private final Map<ClientSession, String> refusals = Collections.synchronizedMap(new WeakHashMap<>());

    KnownHostsVerifier(SftpSettings settings) {
        super(RejectAllServerKeyVerifier.INSTANCE, settings.knownHostsFile());
        this.settings = settings;
        setModifiedServerKeyAcceptor(this::refuseChangedKey);
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        refusals.put(session, settings.where() + ": the server's host key is not in " + file()
                + ", so the connection is refused. The server offered " + describe(serverKey) + ". "
                + "If that is the key of " + settings.host() + " (on the server: ssh-keygen -lf /etc/ssh/ssh_host_"
                + shortType(serverKey) + "_key.pub), accept it with: " + keyscan());
        return false;
    }

    private boolean refuseChangedKey(ClientSession session, SocketAddress remoteAddress, KnownHostEntry entry,
            PublicKey expected, PublicKey actual) {
        refusals.put(session, settings.where() + ": the server's host key has CHANGED, so the connection is refused: "
                + file() + " has " + describe(expected) + ", the server offered " + describe(actual) + ". "
                + "Someone may be intercepting the connection, or the server was reinstalled. If the new key is right "
                + "(on the server: ssh-keygen -lf /etc/ssh/ssh_host_" + shortType(actual) + "_key.pub), replace the old one with: "
                + "ssh-keygen -R '" + knownHostsName() + "' -f " + file() + " && " + keyscan());
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        refusals.put(session, settings.where() + ": the server's host key " + describe(serverKey)
                + " is marked @revoked in " + file() + ", so the connection is refused");
    }

    @Override
    protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey,
            Throwable reason) {
        refusals.put(session, settings.where() + ": cannot read the known hosts file " + file() + " ("
                + reason.getClass().getSimpleName() + ": " + reason.getMessage() + "), so the host key "
                + describe(serverKey) + " cannot be checked and the connection is refused");
        return false;
    }

    /** @return how known_hosts names the server: {@code host}, or {@code [host]:port} off port 22 */
    String knownHostsName() {
        return settings.port() == 22 ? settings.host() : "[" + settings.host() + "]:" + settings.port();
    }

    private String keyscan() {
        return "ssh-keyscan " + (settings.port() == 22 ? "" : "-p " + settings.port() + " ") + settings.host() + " >> " + file();
    }

    private String file() {
        return DisplayPaths.shorten(settings.knownHostsFile());
    }

    private static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }

    /** @return the key type as ssh-keygen and the host key file names spell it: ed25519, ecdsa, rsa */
    private static String shortType(PublicKey key) {
        String type = KeyUtils.getKeyType(key);
        if (type.startsWith("ecdsa")) {
            return "ecdsa";
        }
        return type.startsWith("ssh-") ? type.substring(4) : type;
    }

    /** @return why the session's host key was refused, or {@code null} when it was not */
    String takeRefusal(ClientSession session) {
        return refusals.remove(session);
    }
}
