package io.musicfs.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server ({@code /usr/sbin/sshd} from Debian's {@code openssh-server}) on 127.0.0.1,
 * run as a child process of the test with its own configuration, host keys and authorized keys in
 * a folder of the test's. It serves SFTP ({@code internal-sftp}) to the user running the tests,
 * who logs in with {@link #userKey()}; every path of the machine is visible, so a test serves a
 * fixture folder by giving its absolute path as the remote root.
 *
 * <p>JDK-only (plus the {@code sshd}, {@code ssh-keygen} and {@code kill} programs). Not thread-safe:
 * one test thread drives it.
 */
public final class SshdServer implements AutoCloseable {

    /** How long starting or stopping may take before the test fails. */
    private static final long STARTUP_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    /** sshd refuses to start without its privilege-separation folder, which a container may lack. */
    private static final Path PRIVSEP_DIR = Path.of("/run/sshd");

    private final Path dir;
    private final int port;
    private final List<String> hostKeyTypes;
    private final Path userKey;
    private Process process;

    private SshdServer(Path dir, int port, List<String> hostKeyTypes, Path userKey) {
        this.dir = dir;
        this.port = port;
        this.hostKeyTypes = hostKeyTypes;
        this.userKey = userKey;
    }

    /** Starts a server with a fresh ed25519 host key on a free port. */
    public static SshdServer start(Path dir) throws IOException {
        return start(dir, "ed25519");
    }

    /**
     * Starts a server with fresh host keys of the given {@code ssh-keygen -t} types on a free port,
     * and a fresh ed25519 user key (no passphrase) that it accepts.
     */
    public static SshdServer start(Path dir, String... hostKeyTypes) throws IOException {
        Files.createDirectories(dir);
        for (String type : hostKeyTypes) {
            keygen(type, dir.resolve("ssh_host_" + type + "_key"));
        }
        Path userKey = keygen("ed25519", dir.resolve("id_ed25519"));
        Files.copy(pub(userKey), dir.resolve("authorized_keys"));
        SshdServer server = new SshdServer(dir, freePort(), List.of(hostKeyTypes), userKey);
        server.writeConfig();
        server.startProcess();
        return server;
    }

    /** Makes a key pair with {@code ssh-keygen -t type -N ''}; the public key is {@code file.pub}. */
    public static Path keygen(String type, Path file) throws IOException {
        run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "musicfs-test", "-f", file.toString());
        return file;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** @return the private key file of a user the server accepts (the user running the tests) */
    public Path userKey() {
        return userKey;
    }

    /** Lets another user key in, by its private key file (the {@code .pub} next to it is added). */
    public void authorize(Path privateKey) throws IOException {
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(pub(privateKey)), StandardOpenOption.APPEND);
    }

    /** @return the known_hosts line of the server's host key of that type ({@code [127.0.0.1]:PORT ssh-ed25519 AAAA...}) */
    public String knownHostsLine(String type) throws IOException {
        String[] pub = Files.readString(pub(dir.resolve("ssh_host_" + type + "_key"))).trim().split("\\s+");
        return "[" + host() + "]:" + port + " " + pub[0] + " " + pub[1];
    }

    /** @return the fingerprint of the server's host key of that type, as ssh shows it ({@code SHA256:...}) */
    public String hostKeyFingerprint(String type) throws IOException {
        return fingerprint(pub(dir.resolve("ssh_host_" + type + "_key")));
    }

    /** @return the fingerprint of a public key file ({@code type base64 comment}), as ssh shows it */
    public static String fingerprint(Path publicKey) throws IOException {
        byte[] blob = Base64.getDecoder().decode(Files.readString(publicKey).trim().split("\\s+")[1]);
        try {
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a known_hosts file that trusts all of the server's host keys. */
    public Path writeKnownHosts(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String type : hostKeyTypes) {
            lines.add(knownHostsLine(type));
        }
        Files.write(file, lines);
        return file;
    }

    /**
     * @return how many TCP connections to the server are established right now (from
     *     {@code /proc/net/tcp} and {@code tcp6}: the server's side of each connection)
     */
    public int establishedConnections() {
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            String localPort = String.format(Locale.ROOT, ":%04X", port);
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                // fields: sl local_address rem_address st ...; st 01 is ESTABLISHED, 0A is LISTEN
                if (fields.length > 3 && fields[1].endsWith(localPort) && fields[3].equals("01")) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Kills the server and every connection it serves (the per-connection sshd processes). */
    public void stop() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(STARTUP_DEADLINE_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("sshd on port " + port + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the server again on the same port with the same keys, after {@link #stop()}. */
    public void restart() throws IOException {
        stop();
        startProcess();
    }

    /**
     * Freezes (SIGSTOP) the processes serving the current connections: they stay open but never
     * answer again, like a connection into a dead network. New connections are served.
     */
    public void freezeConnections() throws IOException {
        signalConnections("-STOP");
    }

    /** Lets frozen connections run again (SIGCONT). */
    public void thawConnections() throws IOException {
        signalConnections("-CONT");
    }

    private void signalConnections(String signal) throws IOException {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        process.descendants().forEach(p -> command.add(Long.toString(p.pid())));
        if (command.size() > 2) {
            run(command.toArray(String[]::new));
        }
    }

    /** @return what sshd logged so far (for assertion messages) */
    public String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the server; frozen connections are killed too (SIGKILL ends stopped processes). */
    @Override
    public void close() {
        stop();
    }

    private void writeConfig() throws IOException {
        List<String> config = new ArrayList<>(List.of(
                "Port " + port,
                "ListenAddress " + host(),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PidFile " + dir.resolve("sshd.pid"),
                "Subsystem sftp internal-sftp",
                "MaxStartups 100",
                "MaxSessions 100",
                "LogLevel VERBOSE"));
        for (String type : hostKeyTypes) {
            config.add("HostKey " + dir.resolve("ssh_host_" + type + "_key"));
        }
        Files.write(dir.resolve("sshd_config"), config);
    }

    private void startProcess() throws IOException {
        if (!Files.isDirectory(PRIVSEP_DIR)) {
            try {
                Files.createDirectories(PRIVSEP_DIR);
            } catch (IOException e) {
                // sshd says what it misses in its log, which the failure below shows
            }
        }
        Path log = dir.resolve("sshd.log");
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + STARTUP_DEADLINE_NANOS;
        while (!listening()) {
            if (!process.isAlive()) {
                throw new IOException("sshd exited with " + process.exitValue() + " on port " + port + ":\n" + log());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("sshd did not listen on port " + port + " within 15 s:\n" + log());
            }
            try {
                process.waitFor(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted starting sshd", e);
            }
        }
    }

    /** @return whether a socket listens on the port (state 0A in {@code /proc/net/tcp}), without connecting to it */
    private boolean listening() {
        try {
            String localPort = String.format(Locale.ROOT, ":%04X", port);
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[1].endsWith(localPort) && fields[3].equals("0A")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** @return the public key file ssh-keygen wrote next to a private key */
    public static Path pub(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command[0], e);
        }
    }
}
