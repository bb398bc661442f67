package io.musicfs.origin.sftp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An origin in a folder of an SFTP server. One instance per factory configuration of
 * {@code musicfs.origin.sftp}; it owns an SSH client and a {@link SessionPool} of connections to
 * its server, both closed on deactivation.
 *
 * <p>Safe from any thread: every call borrows a connection from the pool for its duration. Changes
 * are not pushed ({@link #watch} stays empty): the catalog polls the origin by walking it.
 */
@Component(configurationPid = SftpOrigin.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = Origin.class,
        property = Origin.PROP_TYPE + "=" + SftpOrigin.TYPE)
@Designate(ocd = SftpOrigin.Config.class, factory = true)
public class SftpOrigin implements Origin {

    static final String PID = "musicfs.origin.sftp";
    static final String TYPE = "sftp";
    private static final Logger LOG = LoggerFactory.getLogger(SftpOrigin.class);

    @ObjectClassDefinition(name = "MusicFS SFTP origin", description = "A folder of music on an SFTP server, reached with an SSH key")
    public @interface Config {
        @AttributeDefinition(name = "Id", description = "Unique name of the origin: letters, digits, '.', '_' and '-'")
        String origin_id();

        @AttributeDefinition(name = "Priority", description = "Lower numbers are preferred when several origins hold a file")
        int origin_priority() default 10;

        @AttributeDefinition(name = "Host", description = "Host name or address of the SFTP server")
        String host();

        @AttributeDefinition(name = "Port", description = "TCP port of the SSH server")
        int port() default 22;

        @AttributeDefinition(name = "User", description = "User to log in as; empty for the user running MusicFS", required = false)
        String user() default "";

        @AttributeDefinition(name = "Path", description = "Absolute path of the music folder on the server")
        String path();

        @AttributeDefinition(name = "Private key files", description = "Private keys to log in with; empty for the first of "
                + "~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist, as ssh does", required = false)
        String[] privateKeyFile() default {};

        @AttributeDefinition(name = "Passphrase file", description = "File holding the keys' passphrase; empty to take it from "
                + "the MUSICFS_SFTP_PASSPHRASE environment variable, or for keys without one", required = false)
        String passphraseFile() default "";

        @AttributeDefinition(name = "Known hosts file", description = "The server's host key must be in this file (ssh's format); "
                + "empty for ~/.ssh/known_hosts", required = false)
        String knownHostsFile() default "";

        @AttributeDefinition(name = "Connections", description = "Most SFTP connections open to the server at once")
        int maxSessions() default 4;

        @AttributeDefinition(name = "Idle close (s)", description = "An unused connection is closed after this many seconds")
        int idleCloseSeconds() default 60;

        @AttributeDefinition(name = "Keep-alive (s)", description = "Seconds between keep-alive requests on open connections; "
                + "keep it below the read timeout, as a connection silent that long is dropped (0: no keep-alive)")
        int keepAliveSeconds() default 15;

        @AttributeDefinition(name = "Connect timeout (s)", description = "Most seconds to connect, check the host key and log in")
        int connectTimeoutSeconds() default 10;

        @AttributeDefinition(name = "Read timeout (s)", description = "Most seconds to wait for any answer of the server")
        int readTimeoutSeconds() default 30;
    }

    private SftpSettings settings;
    private SftpConnector connector;
    private SessionPool pool;

    @Activate
    void activate(Config config) {
        activate(config, System::getenv);
    }

    /** @param env where the passphrase variable is read (tests give their own) */
    void activate(Config config, Function<String, String> env) {
        settings = SftpSettings.from(config, Path.of(System.getProperty("user.home")), System.getProperty("user.name"));
        UserKeys.Loaded keys = SshdClassLoading.call(() -> {
            SshdSecurity.init();
            return UserKeys.load(settings, env);
        });
        for (String warning : keys.warnings()) {
            LOG.warn("origin {}: {}", settings.id(), warning);
        }
        if (!Files.exists(settings.knownHostsFile())) {
            LOG.warn("origin {}: the known hosts file {} does not exist: the server's host key will be refused until it is added",
                    settings.id(), DisplayPaths.shorten(settings.knownHostsFile()));
        }
        connector = new SftpConnector(settings, keys.identities());
        pool = new SessionPool(settings, connector::open);
        LOG.info("origin {}: sftp {}{} (priority {}, up to {} connections, key {})", settings.id(), settings.target(), settings.root(),
                settings.priority(), settings.maxSessions(),
                keys.identities().stream().map(UserKeys.Identity::describe).toList());
    }

    @Deactivate
    void deactivate() {
        if (pool != null) {
            pool.close();
        }
        if (connector != null) {
            connector.close();
        }
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int priority() {
        return settings.priority();
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void walk(OriginVisitor visitor) throws IOException {
        String root = settings.root();
        checkRoot();
        String realRoot = pool.call("resolve " + root, sftp -> sftp.canonicalPath(root), settings.readTimeout());
        Set<String> ancestors = new HashSet<>();
        ancestors.add(realRoot);
        walkDirectory("", root, realRoot, ancestors, visitor);
    }

    /**
     * Lists one directory and everything below it. Symbolic links are followed to files and
     * directories; a link to a directory on the way down from the root (a loop) is reported, not
     * followed.
     *
     * @param real the directory's canonical path on the server, {@code ancestors} those of the directories above and itself
     */
    private void walkDirectory(String relative, String remote, String real, Set<String> ancestors, OriginVisitor visitor)
            throws IOException {
        List<DirEntry> entries;
        try {
            entries = pool.call("list " + remote, sftp -> list(sftp, remote), settings.readTimeout());
        } catch (SftpException e) {
            IOException failure = translate("list", remote, e);
            if (relative.isEmpty()) {
                throw failure;
            }
            visitor.problem(relative, failure);
            return;
        }
        entries.sort(Comparator.comparing(DirEntry::getFilename));
        for (DirEntry entry : entries) {
            String name = entry.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String childRelative = relative.isEmpty() ? name : relative + "/" + name;
            String childRemote = remote.equals("/") ? "/" + name : remote + "/" + name;
            Attributes attributes = entry.getAttributes();
            String childReal = real.equals("/") ? "/" + name : real + "/" + name;
            if (attributes.isSymbolicLink()) {
                try {
                    attributes = pool.call("stat " + childRemote, sftp -> sftp.stat(childRemote), settings.readTimeout());
                    if (attributes.isDirectory()) {
                        childReal = pool.call("resolve " + childRemote, sftp -> sftp.canonicalPath(childRemote), settings.readTimeout());
                    }
                } catch (SftpException e) {
                    visitor.problem(childRelative, new IOException(settings.where() + ": skipped " + childRemote
                            + ": the symbolic link leads nowhere (" + e.getMessage() + ")", e));
                    continue;
                }
            }
            if (attributes.isRegularFile()) {
                visitor.file(entry(childRelative, attributes));
            } else if (attributes.isDirectory()) {
                if (ancestors.contains(childReal)) {
                    visitor.problem(childRelative, new IOException(settings.where() + ": skipped " + childRemote
                            + ": symbolic link loop (leads back to " + childReal + ")"));
                    continue;
                }
                ancestors.add(childReal);
                walkDirectory(childRelative, childRemote, childReal, ancestors, visitor);
                ancestors.remove(childReal);
            }
        }
    }

    private static List<DirEntry> list(SftpClient sftp, String remote) throws IOException {
        List<DirEntry> entries = new ArrayList<>();
        try (SftpClient.CloseableHandle handle = sftp.openDir(remote)) {
            for (List<DirEntry> batch = sftp.readDir(handle); batch != null; batch = sftp.readDir(handle)) {
                entries.addAll(batch);
            }
        }
        return entries;
    }

    @Override
    public OriginEntry stat(String path) throws IOException {
        String remote = remote(path);
        Attributes attributes;
        try {
            attributes = pool.call("stat " + remote, sftp -> sftp.stat(remote), settings.readTimeout());
        } catch (SftpException e) {
            throw translate("stat", remote, e);
        }
        if (!attributes.isRegularFile()) {
            throw new NoSuchFileException(remote, null, settings.where() + ": not a regular file");
        }
        return entry(path, attributes);
    }

    @Override
    public int read(String path, long offset, ByteBuffer dst) throws IOException {
        String remote = remote(path);
        int start = dst.position();
        try {
            return pool.callOnConnection("read " + remote, connection -> {
                dst.position(start); // a retry starts over
                byte[] handle = connection.openForReading(remote, settings.readTimeout());
                int n;
                try {
                    n = RangedRead.read(connection.sftp(), handle, offset, dst, settings.readTimeout());
                } catch (IOException | RuntimeException e) {
                    try {
                        connection.closeLater(handle);
                    } catch (IOException | RuntimeException closing) {
                        e.addSuppressed(closing);
                    }
                    throw e;
                }
                connection.closeLater(handle); // the answer is taken at the connection's next call
                return n;
            }, settings.readTimeout());
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_FAILURE) {
                stat(path); // OpenSSH opens a folder and then fails the read without saying why: say it
            }
            throw translate("read", remote, e);
        }
    }

    @Override
    public void probe() throws IOException {
        checkRoot();
    }

    /**
     * Stats the music folder, waiting for a connection no longer than the connect timeout (the
     * health monitor's probe must not queue behind long reads).
     */
    private Attributes checkRoot() throws IOException {
        String root = settings.root();
        Attributes attributes;
        try {
            attributes = pool.call("stat " + root, sftp -> sftp.stat(root), settings.connectTimeout());
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE || e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_PATH) {
                throw new NoSuchFileException(root, null, settings.where() + ": the music folder is missing");
            }
            throw translate("stat", root, e);
        }
        if (!attributes.isDirectory()) {
            throw new NoSuchFileException(root, null, settings.where() + ": the music folder is not a folder");
        }
        return attributes;
    }

    private OriginEntry entry(String relative, Attributes attributes) {
        return new OriginEntry(relative, attributes.getSize(), attributes.getModifyTime().toMillis(), null);
    }

    /** Resolves a relative origin path, refusing any that would leave the origin's folder. */
    String remote(String path) throws NoSuchFileException {
        if (path == null || path.isEmpty() || path.startsWith("/")) {
            throw new NoSuchFileException(String.valueOf(path), null, settings.where() + ": path outside the origin");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new NoSuchFileException(path, null, settings.where() + ": path outside the origin");
            }
        }
        return settings.remote(path);
    }

    private IOException translate(String what, String remote, SftpException e) {
        return switch (e.getStatus()) {
            case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH ->
                    new NoSuchFileException(remote, null, settings.where() + ": no such file");
            case SftpConstants.SSH_FX_PERMISSION_DENIED ->
                    new AccessDeniedException(remote, null, settings.where() + ": permission denied");
            default -> new IOException(settings.where() + ": " + what + " " + remote + " failed: " + e.getMessage()
                    + " (" + SftpConstants.getStatusName(e.getStatus()) + ")", e);
        };
    }

    /** @return the origin's connection pool (tests count its connections) */
    SessionPool pool() {
        return pool;
    }
}
