package io.musicfs.origin.sftp.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;

/**
 * Owns one origin's SSH client and opens authenticated SFTP connections to its server. The client
 * trusts nothing but the origin's configuration: host keys only from its known_hosts file (never
 * ~/.ssh/config, never "accept all"), public-key login only with the origin's keys (no password,
 * no agent).
 *
 * <p>Thread-safe: connections are opened from any caller's thread. SSHD runs its I/O and the
 * keep-alive on threads of its own, which {@link #close()} stops.
 */
final class SftpConnector implements AutoCloseable {

    /** Keep-alive requests left unanswered before SSHD drops a connection as dead. */
    static final int KEEPALIVE_MISSES = 3;
    /** The keep-alive request OpenSSH's own client sends; every server answers it (if only with "unknown request"). */
    private static final String KEEPALIVE_REQUEST = "keepalive@openssh.com";
    /** I/O threads of the client: one per default connection, as each decrypts its own stream. */
    private static final int IO_THREADS = 4;
    /** The client's SSH channel window: 8 MiB, several chunks of pipelined answers per connection. */
    private static final long WINDOW_BYTES = 8L << 20;
    /** Largest channel packet the server may send: 128 KiB, half of what OpenSSH's transport accepts at most. */
    private static final long PACKET_BYTES = 128L << 10;
    /** Ciphers preferred, in this order; the others follow in SSHD's order. */
    private static final List<String> FAST_CIPHERS = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr",
            "aes256-ctr");

    private final SftpSettings settings;
    private final List<UserKeys.Identity> identities;
    private final KnownHostsVerifier verifier;
    private final SshClient client;
    private final List<NamedFactory<Signature>> signatures;
    /** The host key types known_hosts holds for the server, as last put first in the client's preference; guarded by this. */
    private Set<String> preferredHostKeyTypes = Set.of();

    SftpConnector(SftpSettings settings, List<UserKeys.Identity> identities) {
        this.settings = settings;
        this.identities = identities;
        this.verifier = new KnownHostsVerifier(settings);
        this.client = SshClient.setUpDefaultClient();
        client.setIoServiceFactoryFactory(new Nio2ServiceFactoryFactory());
        client.setServerKeyVerifier(verifier);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        this.signatures = List.copyOf(client.getSignatureFactories());
        client.setCipherFactories(fastCiphersFirst(client.getCipherFactories()));

        CoreModuleProperties.NIO_WORKERS.set(client, IO_THREADS);
        // Pipelined reads are small requests followed by large answers: without TCP_NODELAY a request
        // can sit behind Nagle's algorithm until the server's delayed ACK (tens of ms per chunk).
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        // Room for several chunks' answers in flight, so the server never waits for a window adjust.
        CoreModuleProperties.WINDOW_SIZE.set(client, WINDOW_BYTES);
        // Larger channel packets than SSHD's 32 KiB: a read answer arrives in fewer packets, each decrypted and parsed once.
        CoreModuleProperties.MAX_PACKET_SIZE.set(client, PACKET_BYTES);
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, settings.connectTimeout());
        // SSHD waits this long for each SFTP answer, and closes a connection that has been silent as long:
        // the keep-alive (answered) keeps pooled connections from counting as silent.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, settings.readTimeout());
        SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.set(client, settings.readTimeout());
        AbstractSftpClient.SFTP_CLIENT_CMD_TIMEOUT.set(client, settings.readTimeout());
        if (!settings.keepAlive().isZero()) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.keepAlive());
            CoreModuleProperties.HEARTBEAT_REQUEST.set(client, KEEPALIVE_REQUEST);
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, KEEPALIVE_MISSES);
        }
        SshdClassLoading.call(() -> {
            client.start();
            return null;
        });
    }

    /**
     * @return the same ciphers, AES-GCM first: the JDK runs AES and GHASH as CPU intrinsics, while SSHD's default first
     *     choice, chacha20-poly1305, is computed in plain Java and caps a connection at a fraction of the throughput
     */
    static List<NamedFactory<Cipher>> fastCiphersFirst(List<NamedFactory<Cipher>> ciphers) {
        List<NamedFactory<Cipher>> ordered = new ArrayList<>(ciphers);
        ordered.sort(Comparator.comparingInt(factory -> FAST_CIPHERS.contains(factory.getName())
                ? FAST_CIPHERS.indexOf(factory.getName()) : FAST_CIPHERS.size()));
        return ordered;
    }

    /**
     * Connects, checks the host key and logs in within the connect timeout, then opens the SFTP
     * channel within the read timeout.
     *
     * @throws IOException naming the origin and the server, and saying what to do where the user can do something
     */
    SftpConnection open() throws IOException {
        return SshdClassLoading.call(this::connect);
    }

    private SftpConnection connect() throws IOException {
        preferKnownHostKeyTypes();
        long connectSeconds = settings.connectTimeout().toSeconds();
        long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
        ConnectFuture connecting;
        try {
            connecting = client.connect(settings.user(), settings.host(), settings.port());
            if (!connecting.await(remaining(deadline), CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT)) {
                throw new SocketTimeoutException(settings.where() + ": cannot connect: no answer from " + hostAndPort()
                        + " within " + connectSeconds + " s (connectTimeoutSeconds)");
            }
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw connectFailure(e);
        }
        if (connecting.getException() != null) {
            throw connectFailure(connecting.getException());
        }
        ClientSession session = connecting.getSession();
        boolean opened = false;
        try {
            identities.forEach(identity -> session.addPublicKeyIdentity(identity.keyPair()));
            AuthFuture login = session.auth();
            boolean done = login.await(remaining(deadline), CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT);
            String refusal = verifier.takeRefusal(session);
            if (refusal != null) {
                throw new IOException(refusal);
            }
            if (!done) {
                throw new SocketTimeoutException(settings.where() + ": " + hostAndPort()
                        + " accepted the connection but did not complete the SSH handshake and login within " + connectSeconds
                        + " s (connectTimeoutSeconds)");
            }
            if (!login.isSuccess()) {
                throw loginFailure(login.getException());
            }
            SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
            opened = true;
            return new SftpConnection(session, sftp);
        } finally {
            if (!opened) {
                session.close(true);
            }
        }
    }

    /** @return the time left until a {@link System#nanoTime} deadline, at least a millisecond (SSHD refuses negative waits) */
    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
    }

    private IOException connectFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return new UnknownHostException(settings.where() + ": cannot resolve the host name " + settings.host());
            }
            if (t instanceof ConnectException) {
                return new ConnectException(settings.where() + ": cannot connect: " + hostAndPort()
                        + " refused the connection (no SSH server listening on that port?)");
            }
            if (t instanceof NoRouteToHostException) {
                return new NoRouteToHostException(settings.where() + ": cannot connect: no route to " + hostAndPort());
            }
        }
        return new IOException(settings.where() + ": cannot connect to " + hostAndPort() + ": " + describe(failure), failure);
    }

    private IOException loginFailure(Throwable failure) {
        if (failure instanceof SshException ssh && ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
            return new IOException(settings.where() + ": login refused: the server accepts none of the keys offered ("
                    + identities.stream().map(UserKeys.Identity::describe).collect(Collectors.joining(", "))
                    + "). Add the public key to ~" + settings.user() + "/.ssh/authorized_keys on " + settings.host()
                    + ", or set privateKeyFile to a key the server knows");
        }
        return new IOException(settings.where() + ": SSH handshake or login failed: " + describe(failure), failure);
    }

    /**
     * Puts the host key types known_hosts holds for this server first in the client's list, as
     * ssh does: a server with several host keys then shows the one the user has, instead of
     * looking like a changed key.
     */
    private void preferKnownHostKeyTypes() {
        Set<String> known = new TreeSet<>();
        try {
            if (Files.isReadable(settings.knownHostsFile())) {
                for (KnownHostEntry entry : KnownHostEntry.readKnownHostEntries(settings.knownHostsFile())) {
                    AuthorizedKeyEntry key = entry.getKeyEntry();
                    if (key != null && entry.getMarker() == null && entry.isHostMatch(settings.host(), settings.port())) {
                        known.add(KeyUtils.getCanonicalKeyType(key.getKeyType()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return; // the verifier reports an unreadable file
        }
        synchronized (this) {
            if (known.equals(preferredHostKeyTypes)) {
                return;
            }
            List<NamedFactory<Signature>> ordered = new ArrayList<>(signatures);
            ordered.sort(Comparator.comparing(factory -> !known.contains(KeyUtils.getCanonicalKeyType(factory.getName()))));
            client.setSignatureFactories(ordered);
            preferredHostKeyTypes = known;
        }
    }

    private String hostAndPort() {
        return (settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host()) + ":" + settings.port();
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Stops the client: its connections, I/O threads and keep-alive. */
    @Override
    public void close() {
        client.stop(); // closes every connection at once and waits for SSHD's threads
    }
}
