package io.musicfs.testkit.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server for tests: S3Proxy ({@code org.gaul:s3proxy}, the {@code jar-with-dependencies})
 * with its filesystem backend, run as a child process on 127.0.0.1. JDK only, so any module's tests
 * can use it; clients need the endpoint, the identity (access key id) and the credential (secret
 * key), which are random per server. Buckets are folders under {@link #dataDir()}.
 *
 * <p>Start waits until the server answers HTTP (with a deadline, no fixed sleeps); {@link #close()}
 * stops the process, and a shutdown hook stops it if the test JVM exits first. S3Proxy's
 * filesystem backend cannot store keys whose last path segment exceeds about 220 bytes.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
 *     URI endpoint = s3.endpoint();   // http://127.0.0.1:<port>
 *     s3.identity(); s3.credential(); // region: any, e.g. us-east-1; path-style requests
 * }
 * }</pre>
 */
public final class S3ProxyServer implements AutoCloseable {

    /** System property naming the S3Proxy jar (the build copies it into target/). */
    public static final String JAR_PROPERTY = "s3proxy.jar";
    private static final long START_TIMEOUT_MILLIS = 60_000;
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final int port;
    private final String identity;
    private final String credential;
    private final Path dataDir;
    private final Path logFile;
    private final Thread shutdownHook;

    private S3ProxyServer(Process process, int port, String identity, String credential, Path dataDir, Path logFile) {
        this.process = process;
        this.port = port;
        this.identity = identity;
        this.credential = credential;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.shutdownHook = new Thread(process::destroyForcibly, "s3proxy-stop-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server on a free port with the jar named by the {@value #JAR_PROPERTY} system property. */
    public static S3ProxyServer start(Path workDir) throws IOException {
        return start(jarFromProperty(), workDir, 0);
    }

    /**
     * @param jar the S3Proxy jar-with-dependencies
     * @param workDir where the data, configuration and log go (created if missing)
     * @param port the port to listen on, 0 for a free one
     */
    public static S3ProxyServer start(Path jar, Path workDir, int port) throws IOException {
        return start(jar, workDir, port, null, null);
    }

    /**
     * @param identity the access key id to accept, {@code null} for a random one
     * @param credential the secret key to accept, {@code null} for a random one
     */
    public static S3ProxyServer start(Path jar, Path workDir, int port, String identity, String credential) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("S3Proxy jar " + jar + " not found (build the module with Maven, which copies it into target/)");
        }
        IOException last = null;
        for (int attempt = 1; attempt <= (port == 0 ? START_ATTEMPTS : 1); attempt++) {
            try {
                return launch(jar, workDir, port == 0 ? freePort() : port, identity, credential);
            } catch (PortTakenException e) {
                last = e; // someone took the free port between our probe and S3Proxy's bind; pick another
            }
        }
        throw last;
    }

    public static Path jarFromProperty() throws IOException {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IOException("system property " + JAR_PROPERTY + " is not set (the build sets it for surefire)");
        }
        return Path.of(jar);
    }

    private static S3ProxyServer launch(Path jar, Path workDir, int port, String fixedIdentity, String fixedCredential)
            throws IOException {
        Path dir = Files.createDirectories(workDir.resolve("s3proxy-" + port));
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        Path logFile = dir.resolve("s3proxy.log");
        SecureRandom random = new SecureRandom();
        String identity = fixedIdentity != null ? fixedIdentity : "test-identity-" + hex(random, 4);
        String credential = fixedCredential != null ? fixedCredential : "test-credential-" + hex(random, 16);
        Properties properties = new Properties();
        properties.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        properties.setProperty("s3proxy.identity", identity);
        properties.setProperty("s3proxy.credential", credential);
        properties.setProperty("jclouds.provider", "filesystem");
        properties.setProperty("jclouds.filesystem.basedir", dataDir.toString());
        Path config = dir.resolve("s3proxy.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            properties.store(out, "S3Proxy for tests");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A small, quickly started JVM: tests upload megabytes, not gigabytes.
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-DLOG_LEVEL=warn", "-jar", jar.toString(), "--properties", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        S3ProxyServer server = new S3ProxyServer(process, port, identity, credential, dataDir, logFile);
        try {
            server.awaitReady();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Polls until the server answers any HTTP request (S3Proxy says 403 to an unsigned one). */
    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (true) {
            if (!process.isAlive()) {
                String log = logTail();
                if (log.contains("Address already in use") || log.contains("BindException")) {
                    throw new PortTakenException("S3Proxy could not bind port " + port + ":\n" + log);
                }
                throw new IOException("S3Proxy exited with status " + process.exitValue() + " before it answered:\n" + log);
            }
            if (answers()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("S3Proxy did not answer on port " + port + " within " + START_TIMEOUT_MILLIS
                        + " ms:\n" + logTail());
            }
            try {
                // Wait for the process to exit or 50 ms, whichever comes first, then poll again.
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for S3Proxy", e);
            }
        }
    }

    private boolean answers() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint().toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            try {
                int status = connection.getResponseCode();
                InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
                if (body != null) {
                    body.readAllBytes();
                    body.close();
                }
                return status > 0;
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    /** @return {@code http://127.0.0.1:<port>}; requests must be path-style */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** @return the access key id the server accepts */
    public String identity() {
        return identity;
    }

    /** @return the secret key the server accepts */
    public String credential() {
        return credential;
    }

    /** @return the filesystem backend's folder: one folder per bucket */
    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the server: politely, then forcibly after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
