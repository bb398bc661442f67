package io.musicfs.origin.s3.internal;

import io.musicfs.testkit.servers.S3ProxyServer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;
import io.musicfs.origin.s3.internal.ScriptedHttpServer.Action;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the S3 origin does beyond the contract: identity, paging, and every way S3 can fail. */
class S3OriginTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    static Path serverDir;
    static S3Fixture s3;

    @TempDir
    Path dir;
    private final List<S3Origin> origins = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3Fixture.start(serverDir);
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    @AfterEach
    void deactivate() {
        origins.forEach(S3Origin::deactivate);
    }

    private S3Origin activate(TestConfig config) {
        S3Origin origin = config.activate();
        origins.add(origin);
        return origin;
    }

    private static String newBucket() {
        String bucket = "test-" + BUCKETS.incrementAndGet();
        s3.createBucket(bucket);
        return bucket;
    }

    @Test
    void aChangedObjectChangesItsIdentityInStatAndWalk() throws IOException {
        String bucket = newBucket();
        s3.put(bucket, "a.flac", bytes(1000, 1));
        S3Origin origin = activate(s3.config("changes", bucket));
        OriginEntry first = origin.stat("a.flac");
        assertEquals(first, walk(origin).get("a.flac"));
        assertEquals(1000, first.size());
        assertTrue(first.etag() != null && !first.etag().contains("\""), "etag without quotes: " + first.etag());
        assertTrue(first.mtimeMillis() > 0 && first.mtimeMillis() % 1000 == 0, "whole seconds: " + first.mtimeMillis());

        s3.put(bucket, "a.flac", bytes(1000, 2)); // same size, other bytes, maybe the same second
        OriginEntry second = origin.stat("a.flac");
        assertFalse(second.sameVersion(first), first + " -> " + second);
        assertNotEquals(first.etag(), second.etag());
        assertEquals(second, walk(origin).get("a.flac"));

        s3.put(bucket, "a.flac", bytes(1001, 2));
        OriginEntry third = origin.stat("a.flac");
        assertEquals(1001, third.size());
        assertEquals(third, walk(origin).get("a.flac"));
    }

    @Test
    void walkPagesThroughLongListingsAndSkipsDirectoryMarkers() throws IOException {
        String bucket = newBucket();
        Map<String, Integer> expected = new TreeMap<>();
        s3.put(bucket, "lib/Artist 0/", new byte[0]); // a directory marker (first: see S3OriginContractTest)
        for (int i = 0; i < 23; i++) {
            String path = "Artist " + (i % 4) + "/Album/" + String.format("%02d", i) + " track.flac";
            s3.put(bucket, "lib/" + path, bytes(i, i));
            expected.put(path, i);
        }
        // names that URL-encoded listings must give back exactly
        for (String odd : List.of("AC+DC/Back in Black.flac", "100% pure & simple?/a=b;c.mp3", "Sigur Rós/( )/ ~#[].ogg")) {
            s3.put(bucket, "lib/" + odd, bytes(3, 3));
            expected.put(odd, 3);
        }
        s3.put(bucket, "lib-not-this/x.flac", bytes(1, 1));
        S3Origin origin = activate(s3.config("pages", bucket).prefix("lib"));
        origin.listPageSize = 5;

        Map<String, OriginEntry> listed = walk(origin);
        assertEquals(expected.keySet(), listed.keySet());
        expected.forEach((path, size) -> assertEquals((long) size, listed.get(path).size(), path));
        for (String odd : List.of("AC+DC/Back in Black.flac", "100% pure & simple?/a=b;c.mp3", "Sigur Rós/( )/ ~#[].ogg")) {
            assertEquals(listed.get(odd), origin.stat(odd), odd);
            assertArrayEquals(bytes(3, 3), read(origin, odd, 0, 10));
        }
    }

    @Test
    void readsIntoDirectBuffersAndStopsAtTheEnd() throws IOException {
        String bucket = newBucket();
        byte[] content = bytes(700_000, 9);
        s3.put(bucket, "big.flac", content);
        S3Origin origin = activate(s3.config("reads", bucket));

        ByteBuffer direct = ByteBuffer.allocateDirect(300_000);
        assertEquals(300_000, origin.read("big.flac", 12_345, direct));
        direct.flip();
        byte[] got = new byte[direct.remaining()];
        direct.get(got);
        assertArrayEquals(Arrays.copyOfRange(content, 12_345, 312_345), got);

        ByteBuffer window = ByteBuffer.allocate(100);
        window.position(10).limit(60);
        assertEquals(50, origin.read("big.flac", 1000, window), "fills from position to limit");
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 1050), Arrays.copyOfRange(window.array(), 10, 60));

        assertEquals(0, origin.read("big.flac", 5, ByteBuffer.allocate(0)));
        assertEquals(-1, origin.read("big.flac", content.length, ByteBuffer.allocate(10)));
        assertEquals(10, origin.read("big.flac", content.length - 10, ByteBuffer.allocate(4096)));
        assertThrows(NoSuchFileException.class, () -> origin.read("../escape", 0, ByteBuffer.allocate(1)));
        assertThrows(NoSuchFileException.class, () -> origin.stat("/big.flac"));
    }

    @Test
    void wrongCredentialsGiveAClearErrorNamingTheOriginWithoutTheSecret() throws IOException {
        String bucket = newBucket();
        s3.put(bucket, "a.flac", bytes(10, 1));
        String wrongSecret = "Wr0ngSecretKeyDoNotPrint/aaaaaaaaaaaaaaaaaaaaaa";
        Path wrongSecretFile = s3.credentials("wrong-secret", s3.server.identity(), wrongSecret);
        Path unknownKeyFile = s3.credentials("unknown-key", "AKIAUNKNOWNKEYID0000", wrongSecret);
        for (Path credentials : List.of(wrongSecretFile, unknownKeyFile)) {
            S3Origin origin = activate(s3.config("bad-creds", bucket).credentials(credentials));
            long started = System.nanoTime();
            IOException probe = assertThrows(IOException.class, origin::probe);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5000, "not retried");
            String message = probe.getMessage();
            assertTrue(message.contains("origin bad-creds") && message.contains("access denied")
                    && message.contains("bucket " + bucket) && message.contains(credentials.getFileName().toString()), message);
            assertNoSecret(probe, wrongSecret, s3.server.credential());
            for (IOException e : List.of(assertThrows(IOException.class, () -> walk(origin)),
                    assertThrows(IOException.class, () -> origin.stat("a.flac")),
                    assertThrows(IOException.class, () -> origin.read("a.flac", 0, ByteBuffer.allocate(4))))) {
                assertFalse(e instanceof NoSuchFileException, "access denied is not a missing file: " + e);
                assertTrue(e.getMessage().contains("access denied"), e.getMessage());
                assertNoSecret(e, wrongSecret, s3.server.credential());
            }
        }
    }

    @Test
    void noSecretInAnyLogLineAndOneWarningForASharedCredentialsFile() throws IOException {
        String bucket = newBucket();
        s3.put(bucket, "a.flac", bytes(100, 1));
        String wrongSecret = "An0therWrongSecretNeverLogged/bbbbbbbbbbbbbbbbbb";
        Path shared = s3.credentials("shared", s3.server.identity(), s3.server.credential());
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        Path wrong = s3.credentials("wrong-logged", s3.server.identity(), wrongSecret);
        List<Throwable> failures = new ArrayList<>();
        String log;
        try (LogCapture capture = new LogCapture()) {
            S3Origin good = activate(s3.config("logged", bucket).credentials(shared));
            good.probe();
            walk(good);
            good.stat("a.flac");
            read(good, "a.flac", 0, 100);
            failures.add(assertThrows(NoSuchFileException.class, () -> good.stat("missing.flac")));
            S3Origin bad = activate(s3.config("logged-bad", bucket).credentials(wrong));
            failures.add(assertThrows(IOException.class, bad::probe));
            failures.add(assertThrows(IOException.class, () -> bad.read("a.flac", 0, ByteBuffer.allocate(4))));
            log = capture.text();
        }
        assertTrue(log.contains("Sending Request"), "the SDK's request log was captured");
        for (String secret : List.of(wrongSecret, s3.server.credential())) {
            assertFalse(log.contains(secret), "a secret key in the log");
        }
        for (Throwable failure : failures) {
            assertNoSecret(failure, wrongSecret, s3.server.credential());
        }
        List<String> warnings = log.lines().filter(line -> line.contains("WARN") && line.contains("readable by group or others")).toList();
        assertEquals(1, warnings.size(), "one warning: " + warnings);
        assertTrue(warnings.get(0).contains(shared.toString()) && warnings.get(0).contains("origin logged"), warnings.get(0));
    }

    @Test
    void nothingListeningFailsTheProbeQuicklyNamingTheEndpointAndTheOriginRecovers() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        S3Origin origin = activate(TestConfig.of("later", "arrives").endpoint("http://127.0.0.1:" + port)
                .credentials(s3.credentialsFile));
        long started = System.nanoTime();
        IOException e = assertThrows(IOException.class, origin::probe);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis < 2000, "failed in " + millis + " ms");
        assertTrue(e.getMessage().contains("origin later") && e.getMessage().contains("http://127.0.0.1:" + port)
                && e.getMessage().contains("refused"), e.getMessage());

        // The same origin instance serves once the server is there: unhealthy, never dead.
        try (S3ProxyServer late = S3ProxyServer.start(S3ProxyServer.jarFromProperty(), dir, port, s3.server.identity(),
                s3.server.credential())) {
            Files.createDirectories(late.dataDir().resolve("arrives"));
            Files.writeString(late.dataDir().resolve("arrives").resolve("x.flac"), "late");
            origin.probe();
            assertEquals(4, origin.stat("x.flac").size());
            assertEquals("late", new String(read(origin, "x.flac", 0, 10), StandardCharsets.UTF_8));
        }
    }

    @Test
    void anUnknownHostNamesTheEndpoint() {
        S3Origin origin = activate(TestConfig.of("dns", "music").endpoint("http://musicfs-test.invalid:9000")
                .credentials(s3.credentialsFile));
        IOException e = assertThrows(IOException.class, origin::probe);
        assertTrue(e.getMessage().contains("origin dns") && e.getMessage().contains("http://musicfs-test.invalid:9000")
                && e.getMessage().contains("unknown host"), e.getMessage());
    }

    @Test
    void aMissingBucketIsNamedAndNeverTakenForMissingFiles() {
        S3Origin origin = activate(s3.config("nobucket", "no-such-bucket"));
        IOException probe = assertThrows(IOException.class, origin::probe);
        assertTrue(probe.getMessage().contains("bucket no-such-bucket does not exist"), probe.getMessage());
        for (IOException e : List.of(assertThrows(IOException.class, () -> origin.stat("a.flac")),
                assertThrows(IOException.class, () -> origin.read("a.flac", 0, ByteBuffer.allocate(4))),
                assertThrows(IOException.class, () -> walk(origin)))) {
            assertFalse(e instanceof NoSuchFileException, "the catalog would drop the files: " + e);
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }

    @Test
    void aStoppedOriginSaysSo() {
        S3Origin origin = s3.config("stopped", "whatever").activate();
        origin.deactivate();
        IOException e = assertThrows(IOException.class, origin::probe);
        assertTrue(e.getMessage().contains("origin stopped: stopped"), e.getMessage());
    }

    @Test
    void throttlingAndServerErrorsAreRetriedWithBackoffThreeAttemptsAtMost() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            server.script(Action.error(503, "SlowDown"), Action.error(500, "InternalError"));
            S3Origin origin = activate(scripted("retries", server));
            origin.probe();
            assertEquals(3, server.requests.get(), "two failures, then the answer");

            server.requests.set(0);
            server.fallback(Action.error(503, "SlowDown"));
            IOException e = assertThrows(IOException.class, origin::probe);
            assertEquals(3, server.requests.get());
            assertTrue(e.getMessage().contains("HTTP 503 SlowDown") && e.getMessage().contains("after 3 attempts")
                    && e.getMessage().contains(server.endpoint().toString()), e.getMessage());
        }
    }

    @Test
    void accessDeniedAndMissingBucketsAreNotRetried() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            S3Origin origin = activate(scripted("no-retry", server));
            for (Action answer : List.of(Action.error(403, "AccessDenied"), Action.error(404, "NoSuchBucket"),
                    Action.error(400, "InvalidArgument"))) {
                server.requests.set(0);
                server.fallback(answer);
                assertThrows(IOException.class, origin::probe);
                assertEquals(1, server.requests.get(), answer.body());
            }
        }
    }

    @Test
    void resetConnectionsAreRetried() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            // HttpURLConnection itself retries a GET once on a fresh connection, so two resets reach the SDK as one.
            server.script(Action.reset(), Action.reset());
            S3Origin origin = activate(scripted("resets", server));
            origin.probe();

            server.fallback(Action.reset());
            server.requests.set(0);
            IOException e = assertThrows(IOException.class, origin::probe);
            assertTrue(server.requests.get() <= 6, "bounded attempts: " + server.requests.get());
            assertTrue(e.getMessage().contains("origin resets") && e.getMessage().contains(server.endpoint().toString()),
                    e.getMessage());
        }
    }

    @Test
    void aHungServerFailsWithinTheRequestTimeout() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            server.fallback(Action.hang());
            S3Origin origin = activate(scripted("hung", server).timeout(1));
            for (Consumer<S3Origin> call : List.<Consumer<S3Origin>>of(
                    o -> assertThrows(IOException.class, o::probe),
                    o -> assertThrows(IOException.class, () -> o.read("a.flac", 0, ByteBuffer.allocate(10))))) {
                long started = System.nanoTime();
                call.accept(origin);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(millis >= 900 && millis < 4000, "failed after " + millis + " ms");
            }
            IOException e = assertThrows(IOException.class, origin::probe);
            assertTrue(e.getMessage().contains("origin hung") && e.getMessage().contains(server.endpoint().toString())
                    && (e.getMessage().contains("timed out") || e.getMessage().contains("no answer")), e.getMessage());
        }
    }

    @Test
    void aBodyThatStopsComingFailsTheReadWithinTheRequestTimeout() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            server.fallback(Action.stall("first bytes", 1_000_000));
            S3Origin origin = activate(scripted("stalled", server).timeout(1));
            long started = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> origin.read("a.flac", 0, ByteBuffer.allocate(1_000_000)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis >= 900 && millis < 4000, "failed after " + millis + " ms");
            assertTrue(e.getMessage().contains("origin stalled") && e.getMessage().contains("read a.flac")
                    && e.getMessage().contains(server.endpoint().toString()), e.getMessage());
        }
    }

    @Test
    void maxConnectionsBoundsTheRequestsInFlight() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            server.fallback(Action.slowly(150, 200, Action.emptyListing().body()));
            S3Origin origin = activate(scripted("bounded", server).connections(2));
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> probes = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    probes.add(pool.submit(() -> {
                        origin.probe();
                        return null;
                    }));
                }
                for (Future<?> probe : probes) {
                    probe.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(6, server.requests.get());
            assertEquals(2, server.maxHandling.get(), "requests held by the server at once");
        }
    }

    @Test
    void readsRetryServerErrorsAndResetsButNeverAccessDeniedOrMissingKeys() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            S3Origin origin = activate(scripted("read-retries", server));
            server.script(Action.error(503, "SlowDown"), Action.error(500, "InternalError"));
            server.fallback(Action.respond(200, "hello"));
            assertEquals("hello", new String(read(origin, "a.flac", 0, 100), StandardCharsets.UTF_8));
            assertEquals(3, server.requests.get(), "two failures, then the answer");

            // HttpURLConnection itself retries a GET once on a fresh connection, so two resets reach the origin as one.
            server.requests.set(0);
            server.script(Action.reset(), Action.reset());
            assertEquals("hello", new String(read(origin, "b.flac", 0, 100), StandardCharsets.UTF_8));

            server.requests.set(0);
            server.fallback(Action.error(503, "SlowDown"));
            IOException busy = assertThrows(IOException.class, () -> read(origin, "c.flac", 0, 10));
            assertEquals(3, server.requests.get());
            assertTrue(busy.getMessage().contains("origin read-retries") && busy.getMessage().contains("read c.flac")
                    && busy.getMessage().contains("HTTP 503 SlowDown") && busy.getMessage().contains("after 3 attempts")
                    && busy.getMessage().contains(server.endpoint().toString()), busy.getMessage());

            server.requests.set(0);
            server.fallback(Action.error(403, "AccessDenied"));
            IOException denied = assertThrows(IOException.class, () -> read(origin, "d.flac", 0, 10));
            assertEquals(3, server.requests.get(), "a freshly signed URL that is denied is not retried: the presigner's URL (the"
                    + " first was signed directly), then the client's own request decide");
            assertTrue(denied.getMessage().contains("access denied") && !(denied instanceof NoSuchFileException), denied.getMessage());

            server.requests.set(0);
            server.fallback(Action.error(416, "InvalidRange"));
            assertEquals(-1, origin.read("e.flac", 10, ByteBuffer.allocate(10)));
            assertEquals(1, server.requests.get());

            server.requests.set(0);
            server.fallback(Action.error(404, "NoSuchKey"));
            assertThrows(NoSuchFileException.class, () -> read(origin, "f.flac", 0, 10));
            assertEquals(1, server.requests.get());
        }
    }

    @Test
    void aCachedUrlIsReusedThenResignedWhenItAgesOrIsDenied() throws IOException {
        String bucket = newBucket();
        byte[] content = bytes(5000, 4);
        s3.put(bucket, "a.flac", content);
        S3Origin origin = activate(s3.config("resign", bucket));
        PresignedGets gets = origin.connection().presignedGets();
        long[] now = {0};
        gets.clock = () -> now[0];
        assertArrayEquals(Arrays.copyOfRange(content, 0, 100), read(origin, "a.flac", 0, 100));
        assertArrayEquals(Arrays.copyOfRange(content, 100, 300), read(origin, "a.flac", 100, 200), "every range on one URL");
        assertEquals(1, gets.signatures.get());

        now[0] += PresignedGets.REUSE.toNanos() + 1;
        assertArrayEquals(Arrays.copyOfRange(content, 4000, 5000), read(origin, "a.flac", 4000, 2000));
        assertEquals(2, gets.signatures.get(), "an aged URL is signed again");

        // A cached URL that meets access denied (rotated credentials) is re-signed once, not counted as a retry.
        try (ScriptedHttpServer server = new ScriptedHttpServer()) {
            S3Origin scripted = activate(scripted("resign-denied", server));
            PresignedGets scriptedGets = scripted.connection().presignedGets();
            server.fallback(Action.respond(200, "hello"));
            read(scripted, "a.flac", 0, 10);
            server.requests.set(0);
            server.script(Action.error(403, "AccessDenied"));
            assertEquals("hello", new String(read(scripted, "a.flac", 0, 10), StandardCharsets.UTF_8));
            assertEquals(2, server.requests.get());
            assertEquals(2, scriptedGets.signatures.get());

            server.requests.set(0);
            server.fallback(Action.error(403, "AccessDenied"));
            IOException denied = assertThrows(IOException.class, () -> read(scripted, "a.flac", 0, 10));
            assertTrue(denied.getMessage().contains("access denied"), denied.getMessage());
            assertEquals(4, server.requests.get(),
                    "the cached URL, then one signed afresh (directly), then the presigner's, then the client's request: the verdict");
            server.requests.set(0);
            assertThrows(IOException.class, () -> read(scripted, "new.flac", 0, 10));
            assertEquals(3, server.requests.get(), "a freshly signed URL that is denied: the presigner's, the client's request, no retry");
        }
    }

    @Test
    void aServerThatRefusesDirectlySignedReadsButGrantsPresignedOnesGetsPresignedOnes() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer(); LogCapture log = new LogCapture()) {
            S3Origin origin = activate(scripted("direct-refused", server));
            PresignedGets gets = origin.connection().presignedGets();
            server.fallback(Action.respond(200, "hello"));
            read(origin, "a.flac", 0, 10);
            read(origin, "b.flac", 0, 10);
            assertEquals(1, gets.presignerSignatures.get(), "the first URL from the presigner, the next signed directly");

            server.requests.set(0);
            server.script(Action.error(403, "SignatureDoesNotMatch"));
            assertEquals("hello", new String(read(origin, "c.flac", 0, 100), StandardCharsets.UTF_8));
            assertEquals(2, server.requests.get(), "the directly signed URL, then the presigner's, granted");
            assertEquals(2, gets.presignerSignatures.get());
            read(origin, "d.flac", 0, 10);
            read(origin, "b.flac", 0, 10);
            assertEquals(4, gets.presignerSignatures.get(), "the presigner signs from now on, and directly signed URLs are not reused");
            String lines = log.text();
            assertEquals(1, lines.split("refused a read signed directly", -1).length - 1, lines);
            assertTrue(lines.contains("origin direct-refused"), lines);
        }
    }

    @Test
    void aServerThatRefusesPresignedReadsButGrantsTheClientsIsReadThroughTheClient() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer(); LogCapture log = new LogCapture()) {
            S3Origin origin = activate(scripted("skewed", server));
            // A clock off by minutes: the presigned GET is refused, the client's request (which corrects its clock) is not.
            server.script(Action.error(403, "RequestTimeTooSkewed"));
            server.fallback(Action.respond(200, "hello"));
            assertEquals("hello", new String(read(origin, "a.flac", 0, 100), StandardCharsets.UTF_8));
            assertEquals(2, server.heads.size());
            assertTrue(server.heads.get(0).contains("X-Amz-Signature="), "first the presigned GET");
            assertTrue(server.heads.get(1).toLowerCase(Locale.ROOT).contains("authorization: aws4-hmac-sha256"),
                    "then the client's own signed request");

            assertEquals("hello", new String(read(origin, "b.flac", 0, 100), StandardCharsets.UTF_8));
            assertEquals(3, server.heads.size());
            assertFalse(server.heads.get(2).contains("X-Amz-Signature="), "later reads go straight through the client");
            String warnings = log.text();
            assertEquals(1, warnings.split("refused a presigned read", -1).length - 1, warnings);
            assertTrue(warnings.contains("origin skewed") && warnings.contains("HTTP 403 RequestTimeTooSkewed"), warnings);
        }
    }

    @Test
    void thePresignedUrlIsNeverInAMessageOrALogLine() throws IOException {
        String bucket = newBucket();
        s3.put(bucket, "a.flac", bytes(100, 1));
        List<Throwable> failures = new ArrayList<>();
        String log;
        try (LogCapture capture = new LogCapture(); ScriptedHttpServer server = new ScriptedHttpServer()) {
            S3Origin good = activate(s3.config("url-good", bucket));
            read(good, "a.flac", 0, 100);
            failures.add(assertThrows(NoSuchFileException.class, () -> read(good, "missing.flac", 0, 10)));
            Path wrong = s3.credentials("url-wrong", s3.server.identity(), "WrongSecretForUrlTest/cccccccccccccccccccc");
            S3Origin bad = activate(s3.config("url-bad", bucket).credentials(wrong));
            failures.add(assertThrows(IOException.class, () -> read(bad, "a.flac", 0, 10)));

            S3Origin scripted = activate(scripted("url-scripted", server).timeout(1));
            for (Action answer : List.of(Action.error(503, "SlowDown"), Action.error(403, "AccessDenied"), Action.reset(),
                    Action.hang(), Action.stall("first bytes", 1_000_000), Action.respond(301, "moved"))) {
                server.fallback(answer);
                failures.add(assertThrows(IOException.class, () -> read(scripted, "a.flac", 0, 100_000)));
            }
            log = capture.text();
        }
        assertFalse(log.contains("X-Amz-Signature"), "the log holds a signature");
        // Known exception: at DEBUG the SDK's signer logs its canonical request, which for a presigned
        // URL holds the access key id (never the secret or the signature). Every other line must not.
        String others = log.lines().filter(line -> !line.contains("DefaultV4RequestSigner")
                && !line.startsWith("X-Amz-Algorithm=")).collect(java.util.stream.Collectors.joining("\n"));
        for (String leak : List.of("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", s3.server.identity())) {
            assertFalse(others.contains(leak), "the log holds " + leak);
            for (Throwable failure : failures) {
                assertNoSecret(failure, leak);
            }
        }
        S3Origin plain = activate(s3.config("url-tostring", bucket));
        String shown = String.valueOf(plain.connection().presignedGets().get("a.flac"));
        assertFalse(shown.contains("X-Amz-") || shown.contains("http"), shown);
    }

    private TestConfig scripted(String id, ScriptedHttpServer server) {
        return TestConfig.of(id, "bucket").endpoint(server.endpoint()).credentials(s3.credentialsFile);
    }

    private static void assertNoSecret(Throwable failure, String... secrets) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (String secret : secrets) {
                assertFalse(String.valueOf(t.getMessage()).contains(secret) || t.toString().contains(secret),
                        "a secret in " + t.getClass().getName());
                for (Throwable suppressed : t.getSuppressed()) {
                    assertFalse(String.valueOf(suppressed).contains(secret), "a secret in a suppressed exception");
                }
            }
        }
    }

    static Map<String, OriginEntry> walk(S3Origin origin) throws IOException {
        Map<String, OriginEntry> listed = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        origin.walk(new OriginVisitor() {
            @Override
            public void file(OriginEntry entry) {
                listed.put(entry.path(), entry);
            }

            @Override
            public void problem(String path, IOException cause) {
                problems.add(path + ": " + cause);
            }
        });
        assertEquals(List.of(), problems);
        return listed;
    }

    static byte[] read(S3Origin origin, String path, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        int n = origin.read(path, offset, buffer);
        return n < 0 ? new byte[0] : Arrays.copyOf(buffer.array(), n);
    }

    private static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
