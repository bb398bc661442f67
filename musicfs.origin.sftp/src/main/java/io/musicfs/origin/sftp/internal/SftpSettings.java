package io.musicfs.origin.sftp.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.musicfs.api.origin.OriginIds;

/**
 * The validated, normalised configuration of one SFTP origin. Holds no secret (the passphrase is
 * read by {@link UserKeys} and kept only as long as decoding the keys takes), so it may be logged.
 *
 * @param privateKeyFiles the key files to offer, in order
 * @param defaultKeys whether {@code privateKeyFiles} are the user's default keys (unusable ones are skipped with a warning)
 * @param passphraseFile the file holding the keys' passphrase, or {@code null}
 */
record SftpSettings(String id, int priority, String host, int port, String user, String root,
        List<Path> privateKeyFiles, boolean defaultKeys, Path passphraseFile, Path knownHostsFile,
        int maxSessions, Duration idleClose, Duration keepAlive, Duration connectTimeout, Duration readTimeout) {

    /** The keys ssh tries when none is configured, in its order. */
    static final List<String> DEFAULT_KEY_NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");
    static final int MAX_SESSIONS_LIMIT = 64;

    /**
     * @param home the user's home folder, where the default keys and known_hosts live
     * @param userName the user to log in as when none is configured
     * @throws IllegalArgumentException naming the first property with a bad value
     */
    static SftpSettings from(SftpOrigin.Config config, Path home, String userName) {
        String id = OriginIds.validate(config.origin_id());
        String host = config.host();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: origin '" + id + "' has no host");
        }
        host = host.trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 address written as in a URI
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '@')) {
            throw new IllegalArgumentException("host: '" + host + "' is not a host name or address (origin '" + id + "')");
        }
        int port = config.port();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is not a TCP port (1 to 65535; origin '" + id + "')");
        }
        String user = config.user() == null || config.user().isBlank() ? userName : config.user().trim();
        if (user == null || user.isBlank() || user.chars().anyMatch(c -> Character.isWhitespace(c) || c == '@')) {
            throw new IllegalArgumentException("user: '" + user + "' is not a user name (origin '" + id + "')");
        }
        String root = remoteRoot(id, config.path());

        List<Path> keys = new ArrayList<>();
        String[] configured = config.privateKeyFile() == null ? new String[0] : config.privateKeyFile();
        for (String key : configured) {
            if (key != null && !key.isBlank()) {
                keys.add(localFile(id, "privateKeyFile", key.trim()));
            }
        }
        boolean defaultKeys = keys.isEmpty();
        if (defaultKeys) {
            for (String name : DEFAULT_KEY_NAMES) {
                Path key = home.resolve(".ssh").resolve(name);
                if (Files.exists(key)) {
                    keys.add(key);
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("privateKeyFile: origin '" + id + "' has no private key: none is configured and none of "
                        + DEFAULT_KEY_NAMES.stream().map(n -> DisplayPaths.shorten(home.resolve(".ssh").resolve(n))).toList()
                        + " exists");
            }
        }
        Path passphraseFile = config.passphraseFile() == null || config.passphraseFile().isBlank()
                ? null : localFile(id, "passphraseFile", config.passphraseFile().trim());
        Path knownHosts = config.knownHostsFile() == null || config.knownHostsFile().isBlank()
                ? home.resolve(".ssh").resolve("known_hosts") : localFile(id, "knownHostsFile", config.knownHostsFile().trim());

        int maxSessions = config.maxSessions();
        if (maxSessions < 1 || maxSessions > MAX_SESSIONS_LIMIT) {
            throw new IllegalArgumentException("maxSessions: " + maxSessions + " is out of range (1 to " + MAX_SESSIONS_LIMIT
                    + "; origin '" + id + "')");
        }
        return new SftpSettings(id, config.origin_priority(), host, port, user, root, List.copyOf(keys), defaultKeys,
                passphraseFile, knownHosts, maxSessions,
                seconds(id, "idleCloseSeconds", config.idleCloseSeconds(), 1),
                seconds(id, "keepAliveSeconds", config.keepAliveSeconds(), 0),
                seconds(id, "connectTimeoutSeconds", config.connectTimeoutSeconds(), 1),
                seconds(id, "readTimeoutSeconds", config.readTimeoutSeconds(), 1));
    }

    /** @return the remote path of a file below the root, given its validated relative path */
    String remote(String relative) {
        return root.equals("/") ? "/" + relative : root + "/" + relative;
    }

    /** @return {@code user@host:port}, the way logs and errors name the server (never with a secret) */
    String target() {
        return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** @return how errors and logs name the origin: {@code origin music (sftp user@host:22)} */
    String where() {
        return "origin " + id + " (sftp " + target() + ")";
    }

    /** The remote root: absolute, without {@code .} or {@code ..}, without a trailing slash (unless it is {@code /}). */
    private static String remoteRoot(String id, String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path: origin '" + id + "' has no path (the remote music folder)");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' is not absolute; give the remote music folder from / (origin '" + id + "')");
        }
        StringBuilder root = new StringBuilder();
        for (String segment : path.split("/+")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("path: '" + path + "' holds '" + segment + "'; give the folder's plain absolute path (origin '" + id + "')");
            }
            root.append('/').append(segment);
        }
        return root.length() == 0 ? "/" : root.toString();
    }

    private static Path localFile(String id, String property, String value) {
        Path path = Path.of(value);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(property + ": '" + value + "' is not an absolute path (origin '" + id + "')");
        }
        return path.normalize();
    }

    private static Duration seconds(String id, String property, int value, int min) {
        if (value < min || value > 86_400) {
            throw new IllegalArgumentException(property + ": " + value + " is out of range (" + min + " to 86400; origin '" + id + "')");
        }
        return Duration.ofSeconds(value);
    }
}
