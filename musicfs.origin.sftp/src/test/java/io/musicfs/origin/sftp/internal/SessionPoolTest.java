package io.musicfs.origin.sftp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.musicfs.testkit.servers.SshdServer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool against OpenSSH's sshd, with the handshake of every connection after the first held
 * back by a gate around the real connector: a caller that finds every connection busy takes the
 * first one given back instead of waiting for its own handshake.
 */
class SessionPoolTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path serverDir;
    @TempDir
    Path scratch;

    static SshdServer server;
    static Path knownHosts;

    private SftpConnector real;
    private SessionPool pool;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger opens = new AtomicInteger();
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @BeforeAll
    static void startServer() throws IOException {
        server = SshdServer.start(serverDir.resolve("sshd"));
        knownHosts = server.writeKnownHosts(serverDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        gate.countDown();
        if (pool != null) {
            pool.close();
        }
        if (real != null) {
            real.close();
        }
    }

    /** A pool of two connections; every open after the first waits for the gate. */
    private SessionPool gatedPool(Path music) {
        SftpSettings settings = SftpSettings.from(TestConfig.of("nas", server, knownHosts, music).set("maxSessions", 2).build(),
                Path.of(System.getProperty("user.home")), System.getProperty("user.name"));
        UserKeys.Loaded keys = SshdClassLoading.call(() -> {
            SshdSecurity.init();
            return UserKeys.load(settings, name -> null);
        });
        real = new SftpConnector(settings, keys.identities());
        pool = new SessionPool(settings, () -> {
            if (opens.incrementAndGet() > 1) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("gate");
                }
            }
            return real.open();
        });
        return pool;
    }

    /** Holds a connection until {@code letGo}; counts {@code holding} down once it has it. */
    private Future<String> hold(CountDownLatch holding, CountDownLatch letGo) {
        return callers.submit(() -> pool.call("hold", sftp -> {
            holding.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
            return "held";
        }, WAIT));
    }

    private Future<Long> size(String path) {
        return callers.submit(() -> pool.call("stat " + path, sftp -> sftp.stat(path).getSize(), WAIT));
    }

    private static void await(String what, IntSupplier value, int expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsInt() != expected) {
            assertTrue(System.nanoTime() < deadline, what + ": " + value.getAsInt() + ", not " + expected);
            Thread.onSpinWait();
        }
    }

    private Path music() throws IOException {
        Path music = Files.createDirectories(scratch.resolve("music"));
        Files.write(music.resolve("a.flac"), new byte[1234]);
        return music;
    }

    /** The first caller holding the only connection until {@code letGo}, the second waiting while its own connection is opened. */
    private record Busy(Future<String> first, CountDownLatch letGo, Future<Long> second) {
    }

    private Busy secondCallerWaitingForItsHandshake() throws Exception {
        Path music = music();
        gatedPool(music);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Future<String> first = hold(holding, letGo);
        assertTrue(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        Future<Long> second = size(music.resolve("a.flac").toString());
        await("opens started", opens::get, 2); // the second caller's connection is being opened (and held at the gate)
        return new Busy(first, letGo, second);
    }

    @Test
    void aCallerThatFindsEveryConnectionBusyTakesTheFirstGivenBackInsteadOfWaitingForItsHandshake() throws Exception {
        Busy busy = secondCallerWaitingForItsHandshake();
        busy.letGo().countDown();
        assertEquals("held", busy.first().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1234L, busy.second().get(WAIT.toSeconds(), TimeUnit.SECONDS), "served on the connection given back");
        assertEquals(1, gate.getCount(), "while the new connection's handshake was still held back");
        assertEquals(1, pool.connectionsOpened());

        gate.countDown(); // the handshake ends: nobody waits for that connection now, so it joins the idle ones
        await("connections opened", () -> (int) pool.connectionsOpened(), 2);
        assertEquals(2, pool.openConnections());

        CountDownLatch bothHolding = new CountDownLatch(2);
        CountDownLatch bothLetGo = new CountDownLatch(1);
        Future<String> a = hold(bothHolding, bothLetGo);
        Future<String> b = hold(bothHolding, bothLetGo);
        assertTrue(bothHolding.await(WAIT.toSeconds(), TimeUnit.SECONDS), "two callers at once on the two connections");
        bothLetGo.countDown();
        assertEquals("held", a.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("held", b.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, pool.connectionsOpened(), "no third connection: the one opened for nobody served");
        assertEquals(2, pool.peakConnections());
    }

    @Test
    void aCallerWaitingForAHandshakeWhenThePoolClosesGetsAnErrorAndTheLateConnectionIsClosed() throws Exception {
        Busy busy = secondCallerWaitingForItsHandshake();
        pool.close();
        ExecutionException closed = assertThrows(ExecutionException.class, () -> busy.second().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(closed.getCause().getMessage().contains("the origin is closed"), closed.getCause().toString());
        busy.letGo().countDown();
        assertEquals("held", busy.first().get(WAIT.toSeconds(), TimeUnit.SECONDS)); // its connection is closed as it comes back
        gate.countDown();
        await("connections left", pool::openConnections, 0);
    }
}
