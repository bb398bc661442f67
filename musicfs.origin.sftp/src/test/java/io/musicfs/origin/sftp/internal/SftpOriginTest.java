package io.musicfs.origin.sftp.internal;

import io.musicfs.testkit.servers.SshdServer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SFTP origin against a real OpenSSH server: host key checks, login, links, the connection
 * pool under load, dead and frozen connections, idle close. Tests that stop or freeze the server
 * start their own.
 */
class SftpOriginTest {

    @TempDir
    static Path serverDir;
    /** Serves with an ed25519 and an ecdsa host key. */
    static SshdServer server;
    static Path knownHosts;

    @TempDir
    Path music;
    @TempDir
    Path scratch;
    byte[] big;
    final List<SftpOrigin> origins = new ArrayList<>();
    final List<SshdServer> ownServers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws IOException {
        server = SshdServer.start(serverDir.resolve("sshd"), "ed25519", "ecdsa");
        knownHosts = server.writeKnownHosts(serverDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void writeMusic() throws IOException {
        Files.createDirectories(music.resolve("Artist/Album"));
        big = new byte[2 * 1024 * 1024 + 5];
        new Random(3).nextBytes(big);
        Files.write(music.resolve("Artist/Album/01 big.flac"), big);
        Files.writeString(music.resolve("Artist/Album/02 small.mp3"), "hello");
    }

    @AfterEach
    void closeAll() {
        origins.forEach(SftpOrigin::deactivate);
        ownServers.forEach(SshdServer::close);
    }

    private SftpOrigin activate(TestConfig config) {
        SftpOrigin origin = config.activate();
        origins.add(origin);
        return origin;
    }

    private TestConfig config(SshdServer on) {
        return TestConfig.of("nas", on, knownHosts, music);
    }

    private SshdServer ownServer() throws IOException {
        SshdServer own = SshdServer.start(scratch.resolve("own-sshd-" + ownServers.size()));
        ownServers.add(own);
        return own;
    }

    @Test
    void walkFollowsLinksAndReportsLoopsAndBrokenLinks() throws IOException {
        Files.createSymbolicLink(music.resolve("linked"), music.resolve("Artist"));
        Files.createSymbolicLink(music.resolve("Artist/loop"), music.resolve("Artist"));
        Files.createSymbolicLink(music.resolve("Artist/Album/03 gone.flac"), music.resolve("nowhere.flac"));
        Files.createSymbolicLink(music.resolve("single.flac"), music.resolve("Artist/Album/02 small.mp3"));
        SftpOrigin origin = activate(config(server));

        Map<String, OriginEntry> files = new TreeMap<>();
        Map<String, String> problems = new TreeMap<>();
        origin.walk(new OriginVisitor() {
            public void file(OriginEntry entry) { files.put(entry.path(), entry); }
            public void problem(String path, IOException cause) { problems.put(path, cause.getMessage()); }
        });

        assertEquals(List.of("Artist/Album/01 big.flac", "Artist/Album/02 small.mp3",
                "linked/Album/01 big.flac", "linked/Album/02 small.mp3", "single.flac"), new ArrayList<>(files.keySet()));
        OriginEntry bigEntry = files.get("Artist/Album/01 big.flac");
        assertEquals(big.length, bigEntry.size());
        assertEquals(Files.getLastModifiedTime(music.resolve("Artist/Album/01 big.flac")).toMillis() / 1000 * 1000,
                bigEntry.mtimeMillis(), "SFTP v3 times are whole seconds");
        assertEquals(null, bigEntry.etag());
        assertEquals(5, files.get("single.flac").size(), "a link to a file is the file");
        assertEquals(origin.stat("single.flac"), files.get("single.flac"));
        assertTrue(problems.keySet().stream().anyMatch(p -> p.endsWith("/loop")), "loop reported: " + problems);
        assertTrue(problems.values().stream().anyMatch(m -> m.contains("symbolic link loop") && m.contains("origin nas")), problems.toString());
        assertTrue(problems.get("Artist/Album/03 gone.flac").contains("leads nowhere"), problems.toString());
    }

    @Test
    void pathsOutsideTheOriginAndFoldersAreNoSuchFile() throws IOException {
        SftpOrigin origin = activate(config(server));
        for (String path : List.of("../etc/passwd", "/etc/passwd", "Artist/../../x", "Artist//Album/02 small.mp3", "Artist", "")) {
            assertThrows(NoSuchFileException.class, () -> origin.stat(path), path);
        }
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> origin.stat("Artist/none.flac"));
        assertTrue(missing.getMessage().contains("origin nas") && missing.getMessage().contains("127.0.0.1:" + server.port())
                && missing.getMessage().contains("Artist/none.flac"), missing.getMessage());
        assertThrows(NoSuchFileException.class, () -> origin.read("Artist", 0, ByteBuffer.allocate(1)));
        // the server refuses the open itself: the same answer, and the connection stays usable
        NoSuchFileException gone = assertThrows(NoSuchFileException.class, () -> origin.read("Artist/none.flac", 0, ByteBuffer.allocate(1)));
        assertTrue(gone.getMessage().contains("Artist/none.flac"), gone.getMessage());
        int before = origin.pool().openConnections();
        assertEquals(1000, origin.read("Artist/Album/01 big.flac", 0, ByteBuffer.allocate(1000)));
        assertEquals(before, origin.pool().openConnections(), "a refused open does not cost the connection");
    }

    @Test
    void aMissingMusicFolderFailsTheProbeAndTheWalk() throws IOException {
        SftpOrigin origin = activate(config(server).set("path", music.resolve("not-there").toString()));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, origin::probe);
        assertTrue(e.getMessage().contains("origin nas") && e.getMessage().contains("not-there"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> origin.walk(entry -> { }));
    }

    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprintAndHowToAcceptIt() throws Exception {
        Path empty = Files.createFile(scratch.resolve("known_hosts"));
        SftpOrigin origin = activate(config(server).set("knownHostsFile", empty.toString()));

        IOException e = assertThrows(IOException.class, origin::probe);

        String message = e.getMessage();
        assertTrue(message.contains("origin nas") && message.contains("127.0.0.1:" + server.port()), message);
        assertTrue(message.contains("not in " + empty), message);
        assertTrue(message.contains(server.hostKeyFingerprint("ed25519")) || message.contains(server.hostKeyFingerprint("ecdsa")), message);
        assertTrue(message.contains("ssh-keyscan -p " + server.port() + " 127.0.0.1 >> " + empty), message);
        assertEquals(0, Files.size(empty), "nothing is written to known_hosts");

        // Accepting it as the message says lets a later connection in (failed connects are not retried for a second).
        Files.writeString(empty, server.knownHostsLine("ed25519") + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                origin.probe();
                break;
            } catch (IOException stillRefused) {
                if (System.nanoTime() > deadline) {
                    throw stillRefused;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void aChangedHostKeyIsRefusedWithBothFingerprints() throws IOException {
        Path other = SshdServer.keygen("ed25519", scratch.resolve("other_host_key"));
        String otherKey = Files.readString(SshdServer.pub(other)).trim().split("\\s+")[1];
        Path changed = Files.writeString(scratch.resolve("known_hosts"), "[127.0.0.1]:" + server.port() + " ssh-ed25519 " + otherKey + "\n");
        SftpOrigin origin = activate(config(server).set("knownHostsFile", changed.toString()));

        IOException e = assertThrows(IOException.class, origin::probe);

        String message = e.getMessage();
        assertTrue(message.contains("origin nas") && message.contains("127.0.0.1:" + server.port()), message);
        assertTrue(message.contains("CHANGED"), message);
        assertTrue(message.contains(SshdServer.fingerprint(SshdServer.pub(other))), "the known key: " + message);
        assertTrue(message.contains(server.hostKeyFingerprint("ed25519")), "the offered key: " + message);
        assertTrue(message.contains("ssh-keygen -R '[127.0.0.1]:" + server.port() + "'"), message);
    }

    @Test
    void aServerKnownByAnotherOfItsKeysIsAccepted() throws IOException {
        // ssh prefers the key types known_hosts has; without that the ecdsa-only entry would look like a changed key.
        Path ecdsaOnly = Files.writeString(scratch.resolve("known_hosts"), server.knownHostsLine("ecdsa") + "\n");
        SftpOrigin origin = activate(config(server).set("knownHostsFile", ecdsaOnly.toString()));
        origin.probe();
        assertEquals(5, origin.stat("Artist/Album/02 small.mp3").size());
    }

    @Test
    void aUserKeyTheServerDoesNotKnowIsALoginErrorNamingOriginHostAndKey() throws IOException {
        Path stranger = SshdServer.keygen("ed25519", scratch.resolve("id_stranger"));
        SftpOrigin origin = activate(config(server).set("privateKeyFile", new String[] {stranger.toString()}));

        IOException e = assertThrows(IOException.class, origin::probe);

        String message = e.getMessage();
        assertTrue(message.contains("origin nas") && message.contains("@127.0.0.1:" + server.port()), message);
        assertTrue(message.contains("login refused"), message);
        assertTrue(message.contains(stranger.toString()) && message.contains(SshdServer.fingerprint(SshdServer.pub(stranger))), message);
    }

    @Test
    void theProbeFailsAtOnceWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SftpOrigin origin = activate(config(server).set("port", port).set("connectTimeoutSeconds", 2));

        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, origin::probe);

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "failed within the connect timeout");
        assertTrue(e.getMessage().contains("origin nas") && e.getMessage().contains("127.0.0.1:" + port)
                && e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void theProbeGivesUpWithinTheConnectTimeoutOnAServerThatNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.start();
            SftpOrigin origin = activate(config(server).set("port", silent.getLocalPort()).set("connectTimeoutSeconds", 1));

            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, origin::probe);

            long took = System.nanoTime() - start;
            assertTrue(took < TimeUnit.MILLISECONDS.toNanos(2500), "gave up after " + took / 1_000_000 + " ms");
            assertTrue(e.getMessage().contains("origin nas") && e.getMessage().contains("127.0.0.1:" + silent.getLocalPort())
                    && e.getMessage().contains("1 s"), e.getMessage());
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void concurrentReadsShareAtMostMaxSessionsConnections() throws Exception {
        SshdServer own = ownServer();
        SftpOrigin origin = activate(TestConfig.of("busy", own, own.writeKnownHosts(scratch.resolve("own_known_hosts")), music)
                .set("maxSessions", 2));
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger mostSeenByServer = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (reading.get()) {
                mostSeenByServer.accumulateAndGet(own.establishedConnections(), Math::max);
                Thread.onSpinWait();
            }
        });
        sampler.start();
        ExecutorService readers = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                long seed = i;
                reads.add(readers.submit(() -> {
                    Random random = new Random(seed);
                    int offset = random.nextInt(big.length);
                    int length = 1 + random.nextInt(512 * 1024);
                    ByteBuffer buffer = ByteBuffer.allocate(length);
                    int n = origin.read("Artist/Album/01 big.flac", offset, buffer);
                    assertArrayEquals(Arrays.copyOfRange(big, offset, Math.min(big.length, offset + length)),
                            Arrays.copyOf(buffer.array(), n));
                    return null;
                }));
            }
            for (Future<?> read : reads) {
                read.get(60, TimeUnit.SECONDS);
            }
        } finally {
            reading.set(false);
            readers.shutdownNow();
            sampler.join();
        }
        assertEquals(2, origin.pool().peakConnections(), "the pool opened exactly maxSessions connections");
        assertTrue(mostSeenByServer.get() <= 2, "the server saw " + mostSeenByServer.get() + " connections at once");
        assertTrue(mostSeenByServer.get() >= 1, "the sampler saw the connections");
    }

    @Test
    void aShortAnswerEndsTheFileSoASmallReadIsOneRoundTrip() throws IOException {
        SftpOrigin origin = activate(config(server));
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        long before = RangedRead.ROUNDS.sum();
        assertEquals(5, origin.read("Artist/Album/02 small.mp3", 0, chunk));
        assertEquals("hello", new String(chunk.array(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII));
        // the cache asks for a track's last chunk one byte past the catalogued end, to notice growth
        ByteBuffer last = ByteBuffer.allocate(6);
        assertEquals(5, origin.read("Artist/Album/01 big.flac", big.length - 5, last));
        assertArrayEquals(Arrays.copyOfRange(big, big.length - 5, big.length), Arrays.copyOf(last.array(), 5));
        assertEquals(2, RangedRead.ROUNDS.sum() - before, "one round of requests per read, none to learn that the file ended");

        // a last chunk longer than any read a server must answer whole: one round too (its last byte is asked alone)
        before = RangedRead.ROUNDS.sum();
        int tail = 3 * RangedRead.SURE_READ_BYTES / 2;
        ByteBuffer longLast = ByteBuffer.allocate(tail + 1);
        assertEquals(tail, origin.read("Artist/Album/01 big.flac", big.length - tail, longLast));
        assertArrayEquals(Arrays.copyOfRange(big, big.length - tail, big.length), Arrays.copyOf(longLast.array(), tail));
        assertEquals(1, RangedRead.ROUNDS.sum() - before, "the end of the file learnt in the same round");
        // and a read that ends inside the file is not taken for its end
        ByteBuffer inside = ByteBuffer.allocate(tail);
        assertEquals(tail, origin.read("Artist/Album/01 big.flac", big.length - tail - 1, inside));
        assertArrayEquals(Arrays.copyOfRange(big, big.length - tail - 1, big.length - 1), inside.array());

        // answers of whole requests are never taken for the end: a read across many requests fills its buffer
        ByteBuffer wide = ByteBuffer.allocate(big.length);
        assertEquals(big.length, origin.read("Artist/Album/01 big.flac", 0, wide));
        assertArrayEquals(big, wide.array());
        assertEquals(-1, origin.read("Artist/Album/01 big.flac", big.length, ByteBuffer.allocate(10)));
    }

    @Test
    void readsCloseTheirFilesWithoutWaitingAndEveryAnswerIsTakenLater() throws Exception {
        SshdServer own = ownServer();
        SftpOrigin origin = activate(TestConfig.of("closes", own, own.writeKnownHosts(scratch.resolve("own_known_hosts")), music)
                .set("maxSessions", 1));
        for (int i = 0; i < 3 * SftpConnection.MAX_CLOSES_IN_FLIGHT; i++) {
            int offset = i * 1000;
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            int n = origin.read("Artist/Album/01 big.flac", offset, buffer);
            assertArrayEquals(Arrays.copyOfRange(big, offset, offset + 4096), Arrays.copyOf(buffer.array(), n), "read " + i);
            assertTrue(origin.pool().closesInFlight() <= SftpConnection.MAX_CLOSES_IN_FLIGHT,
                    origin.pool().closesInFlight() + " closes outstanding");
        }
        assertEquals(1, origin.pool().connectionsOpened(), "one connection served every read and close");
        // The server answers in order: once a stat is answered, every close sent before it has been too,
        // and the next call takes those answers.
        origin.stat("Artist/Album/01 big.flac");
        origin.stat("Artist/Album/01 big.flac");
        assertEquals(0, origin.pool().closesInFlight(), "every close answer was taken");
    }

    @Test
    void aReadAfterTheServerRestartedReconnects() throws IOException {
        SshdServer own = ownServer();
        Path trusting = own.writeKnownHosts(scratch.resolve("own_known_hosts"));
        SftpOrigin origin = activate(TestConfig.of("restarts", own, trusting, music));
        assertArrayEquals(Arrays.copyOf(big, 1000), readBytes(origin, 0, 1000));

        own.restart(); // kills the connection the pool holds, then listens again on the same port with the same keys

        assertArrayEquals(Arrays.copyOfRange(big, 5000, 6000), readBytes(origin, 5000, 1000));
        assertEquals(1, origin.pool().openConnections());
    }

    @Test
    void aFrozenConnectionIsReplacedAfterTheReadTimeout() throws IOException {
        SshdServer own = ownServer();
        Path trusting = own.writeKnownHosts(scratch.resolve("own_known_hosts"));
        SftpOrigin origin = activate(TestConfig.of("frozen", own, trusting, music).set("readTimeoutSeconds", 1));
        assertArrayEquals(Arrays.copyOf(big, 1000), readBytes(origin, 0, 1000));

        own.freezeConnections(); // the pooled connection stays open but never answers again

        long start = System.nanoTime();
        assertArrayEquals(Arrays.copyOfRange(big, 7000, 9000), readBytes(origin, 7000, 2000));
        long took = System.nanoTime() - start;
        assertTrue(took < TimeUnit.SECONDS.toNanos(5), "took " + took / 1_000_000 + " ms");
        assertEquals(1, origin.pool().openConnections(), "the frozen connection was dropped");
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        SshdServer own = ownServer();
        SftpOrigin origin = activate(TestConfig.of("idle", own, own.writeKnownHosts(scratch.resolve("own_known_hosts")), music)
                .set("idleCloseSeconds", 1));
        assertEquals(5, origin.stat("Artist/Album/02 small.mp3").size());
        assertEquals(1, origin.pool().openConnections());

        awaitZero("pool connections", () -> origin.pool().openConnections(), 5);
        awaitZero("server connections", own::establishedConnections, 5);

        assertEquals(5, origin.stat("Artist/Album/02 small.mp3").size(), "a later call connects again");
        assertEquals(2, origin.pool().connectionsOpened());
    }

    @Test
    void theKeepAliveHoldsAnIdleConnectionPastTheReadTimeout() throws Exception {
        // SSHD drops a connection silent for the read timeout; the keep-alive's answers keep a pooled one open.
        SftpOrigin origin = activate(config(server).set("origin_id", "kept").set("readTimeoutSeconds", 2).set("keepAliveSeconds", 1));
        origin.stat("Artist/Album/02 small.mp3");

        Thread.sleep(3500); // the behaviour under test is the passing of time itself

        assertEquals(1, origin.pool().openConnections(), "still open after 1.75 read timeouts of idleness");
        origin.stat("Artist/Album/02 small.mp3");
        assertEquals(1, origin.pool().connectionsOpened(), "the same connection served again");
    }

    @Test
    void deactivationClosesEveryConnection() throws Exception {
        SshdServer own = ownServer();
        SftpOrigin origin = TestConfig.of("closing", own, own.writeKnownHosts(scratch.resolve("own_known_hosts")), music).activate();
        origin.stat("Artist/Album/02 small.mp3");
        assertEquals(1, origin.pool().openConnections());

        origin.deactivate();

        assertFalse(origin.pool().openConnections() > 0);
        awaitZero("server connections", own::establishedConnections, 5);
        IOException e = assertThrows(IOException.class, () -> origin.stat("Artist/Album/02 small.mp3"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private static byte[] readBytes(SftpOrigin origin, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        int n = origin.read("Artist/Album/01 big.flac", offset, buffer);
        return Arrays.copyOf(buffer.array(), n);
    }

    private static void awaitZero(String what, IntSupplier count, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int last = count.getAsInt();
        while (last != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": still " + last + " after " + seconds + " s");
            }
            Thread.sleep(20);
            last = count.getAsInt();
        }
    }
}
