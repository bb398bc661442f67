package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;

import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane of the real daemon (the launcher, a real FUSE mount of real tagged audio): the
 * HTTP API and its token, the CLI commands as a user types them, webhooks to receivers started
 * here, and the status page in headless Chromium. One daemon serves all tests (it starts in
 * seconds, but not for free); the test that takes the origin away runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlIT {

    static final String SECRET = "webhook-secret-4b1d";

    @TempDir
    static Path tmp;
    static Path music;
    static Path cache;
    static Path mountPoint;
    static Corpus corpus;
    static Daemon daemon;
    static URI base;
    static String token;
    static HttpServer receiver;
    static final BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
    static int downPort;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Delivery(String hook, String signature, String attempt, String type, byte[] body) {
    }

    @BeforeAll
    static void startDaemon() throws Exception {
        music = tmp.resolve("music");
        cache = tmp.resolve("cache");
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        corpus = CorpusGenerator.generate(music, CorpusSpec.of(12).withHardCases(false));
        receiver = receiver(0, "up");
        downPort = freePort();
        Path secretFile = Files.writeString(tmp.resolve("down.secret"), SECRET + "\n");
        Path config = Files.writeString(tmp.resolve("musicfs.conf"), String.join("\n",
                "[control]",
                "address = 127.0.0.1",
                "port = 0",
                "[webhook up]",
                "url = http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?key=in-the-query",
                "secret = " + SECRET,
                "events = library/SYNC_FINISHED",
                "[webhook down]",
                "url = http://127.0.0.1:" + downPort + "/hook",
                "secret-file = " + secretFile,
                "events = library/SYNC_FINISHED",
                ""));
        daemon = Daemon.start(List.of("mount", "--origin", music.toString(), "--config", config.toString(), "--cache", cache.toString(),
                mountPoint.toString()));
        daemon.awaitServing();
        daemon.awaitLine(line -> line.contains("control API listening at"), 60);
        JsonObject endpoint = JsonParser.parseString(Files.readString(cache.resolve("control.json"))).getAsJsonObject();
        base = URI.create(endpoint.get("url").getAsString());
        token = Files.readString(cache.resolve("control.token")).strip();
        awaitJson("status", s -> s.getAsJsonObject().getAsJsonArray("origins").get(0).getAsJsonObject().getAsJsonObject("sync")
                .get("completedSyncs").getAsLong() >= 1, "the first sync");
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (daemon != null) {
            daemon.saveOutput("ControlIT");
            if (daemon.pid() > 0 && ProcessHandle.of(daemon.pid()).isPresent()) {
                daemon.signal("TERM");
            }
            daemon.awaitExit(60);
            daemon.close();
            assertFalse(daemon.output().contains(SECRET), "a webhook secret appeared in the daemon's output");
        }
        Mounts.forceUnmount(mountPoint);
    }

    @Test
    @Order(1)
    void everyCallNeedsTheTokenAndTheListenerIsOnLoopbackOnly() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.resolve("control.token"))));
        assertEquals(401, call("GET", "api/status", null, null).statusCode());
        assertEquals(401, call("GET", "api/status", "0".repeat(64), null).statusCode());
        assertEquals(401, call("POST", "api/origins/music/rescan", "wrong", null).statusCode());
        HttpResponse<String> refused = call("GET", "api/origins", null, null);
        assertTrue(refused.body().contains("missing or wrong token"), refused.body());
        assertEquals(200, call("GET", "api/status", token, null).statusCode());

        assertEquals("127.0.0.1", base.getHost());
        List<String> listeners = listenersOn(base.getPort());
        assertEquals(List.of("127.0.0.1"), listeners, "addresses listening on port " + base.getPort());
        for (InetAddress address : Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream()).filter(a -> !a.isLoopbackAddress()).toList()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, base.getPort()), 1000);
                throw new AssertionError("the control port answers on " + address);
            } catch (ConnectException expected) {
                // refused: nothing listens there
            }
        }
    }

    @Test
    @Order(2)
    void apiAnswersStatusOriginsAndNamesWhatIsMissing() throws Exception {
        JsonObject status = json("GET", "status").getAsJsonObject();
        assertEquals("ready", status.get("state").getAsString());
        assertEquals(mountPoint.toString(), status.get("mountPoint").getAsString());
        assertEquals(corpus.present().size(), status.get("tracks").getAsInt());
        assertTrue(status.get("uptimeSeconds").getAsLong() >= 0);
        assertTrue(status.getAsJsonObject("cache").get("limitBytes").getAsLong() > 0, "the chunk cache reports: " + status);
        assertTrue(status.getAsJsonArray("operations").size() > 0, "FUSE operations are counted");

        JsonObject origin = json("GET", "origins/music").getAsJsonObject();
        assertEquals("local", origin.get("type").getAsString());
        assertEquals(corpus.present().size(), origin.getAsJsonObject("sync").get("filesSeen").getAsInt());

        HttpResponse<String> unknown = call("GET", "api/origins/nas", token, null);
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown origin 'nas' (known: music)", JsonParser.parseString(unknown.body()).getAsJsonObject().get("error").getAsString());
        assertEquals(404, call("POST", "api/cache/clear?origin=nas", token, "").statusCode());

        // a rescan streams JSON lines and ends with the sync's result
        String[] lines = call("POST", "api/origins/music/rescan", token, "").body().strip().split("\n");
        JsonObject last = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertEquals("result", last.get("type").getAsString(), String.join("\n", lines));
        assertEquals(corpus.present().size(), last.get("filesSeen").getAsInt());

        // prefetch resolves paths through the tree before it needs the cache
        TruthEntry track = corpus.present().get(0);
        HttpResponse<String> missingPath = call("POST", "api/prefetch", token, "{\"paths\": [\"/No Such Artist\"]}");
        assertEquals(404, missingPath.statusCode());
        assertTrue(missingPath.body().contains("no such path in the library: /No Such Artist"), missingPath.body());
        HttpResponse<String> prefetch = call("POST", "api/prefetch", token, "{\"paths\": [\"" + mountPoint.resolve(track.virtualPath()) + "\"]}");
        assertTrue(prefetch.body().strip().endsWith("}") && prefetch.body().contains("\"type\":\"result\""), prefetch.body());
    }

    @Test
    @Order(3)
    void cliCommandsPrintForPeopleAndForScripts() throws Exception {
        // each command is a JVM with the whole runtime: run them side by side
        Map<String, Cli> run = cliAll(List.of("status", "status --json", "origins", "origins --json", "origins music",
                "origins music --json", "origins nas", "rescan nas --json", "rescan music", "prefetch /Nobody"));

        Cli status = run.get("status");
        assertEquals(0, status.exit, status.output);
        assertTrue(status.output.contains("state: ready"), status.output);
        assertTrue(status.output.contains("mount:   " + mountPoint + " (mounted), " + corpus.present().size() + " tracks"), status.output);
        assertTrue(status.output.contains("cache:   active, "), status.output);
        assertTrue(status.output.contains("tasks:   ") && status.output.contains(" running without failures"), status.output);
        assertTrue(status.output.contains("webhook up -> http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?..."), status.output);
        assertTrue(status.output.contains("status page: " + base + "status"), status.output);
        assertFalse(status.output.contains(token) || status.output.contains(SECRET), "no secret printed");

        Cli statusJson = run.get("status --json");
        assertEquals(0, statusJson.exit, statusJson.output);
        JsonObject s = JsonParser.parseString(statusJson.output).getAsJsonObject();
        assertEquals(corpus.present().size(), s.get("tracks").getAsInt());
        assertFalse(statusJson.output.contains(SECRET), "no webhook secret in status");

        Cli origins = run.get("origins");
        assertEquals(0, origins.exit, origins.output);
        assertTrue(origins.output.lines().anyMatch(line -> line.matches("\\s*music  local  health: healthy, [0-9.]+ ms  sync: .*")),
                origins.output);
        JsonArray originsJson = JsonParser.parseString(run.get("origins --json").output).getAsJsonArray();
        assertEquals("music", originsJson.get(0).getAsJsonObject().get("id").getAsString());

        Cli one = run.get("origins music");
        assertTrue(one.output.startsWith("origin music (local, priority 1, service registered)"), one.output);
        assertEquals("local", JsonParser.parseString(run.get("origins music --json").output).getAsJsonObject().get("type").getAsString());

        Cli unknown = run.get("origins nas");
        assertEquals(1, unknown.exit);
        assertEquals("musicfs: unknown origin 'nas' (known: music)", unknown.output);
        Cli unknownRescan = run.get("rescan nas --json");
        assertEquals(1, unknownRescan.exit);
        assertTrue(unknownRescan.output.contains("musicfs: unknown origin 'nas'"), unknownRescan.output);

        Cli rescan = run.get("rescan music");
        assertEquals(0, rescan.exit, rescan.output);
        List<String> rescanLines = rescan.output.lines().toList();
        assertEquals("origin music: sync finished: 0 added, 0 changed, 0 removed (" + corpus.present().size() + " files listed)",
                rescanLines.get(rescanLines.size() - 1), rescan.output);
        for (String progress : rescanLines.subList(0, rescanLines.size() - 1)) {
            assertTrue(progress.matches("\\d+ files, \\d+ files/s"), "a plain progress line off a terminal: " + progress);
        }
        Cli rescanJson = cli("rescan", "music", "--json");
        assertEquals(0, rescanJson.exit, rescanJson.output);
        List<String> jsonLines = rescanJson.output.lines().toList();
        assertEquals("started", JsonParser.parseString(jsonLines.get(0)).getAsJsonObject().get("type").getAsString());
        assertEquals("result", JsonParser.parseString(jsonLines.get(jsonLines.size() - 1)).getAsJsonObject().get("type").getAsString());

        assertEquals("musicfs: no such path in the library: /Nobody", run.get("prefetch /Nobody").output);
    }

    @Test
    @Order(4)
    void cacheCommandsActOnTheCacheOrSayItIsMissing() throws Exception {
        String artist = "/" + corpus.present().get(0).virtualPath().split("/")[0];
        Cli prefetch = cli("prefetch", artist);
        assertEquals(0, prefetch.exit, prefetch.output);
        assertTrue(prefetch.output.lines().reduce((a, b) -> b).orElse("").startsWith("prefetched "), prefetch.output);
        Cli stats = cli("cache", "stats");
        assertEquals(0, stats.exit, stats.output);
        assertTrue(stats.output.startsWith("active, ") && stats.output.contains(" chunks, "), stats.output);
        assertTrue(JsonParser.parseString(cli("cache", "stats", "--json").output).getAsJsonObject().get("chunks").getAsLong() > 0);
        Cli verify = cli("cache", "verify");
        assertEquals(0, verify.exit, verify.output);
        assertTrue(verify.output.lines().reduce((a, b) -> b).orElse("").matches("cache verified: \\d+ chunks checked, 0 corrupt, .*"),
                verify.output);
        List<String> verifyJson = cli("cache", "verify", "--json").output.lines().toList();
        assertEquals("result", JsonParser.parseString(verifyJson.get(verifyJson.size() - 1)).getAsJsonObject().get("type").getAsString());
        Cli clearOne = cli("cache", "clear", "music");
        assertEquals(0, clearOne.exit, clearOne.output);
        assertTrue(clearOne.output.startsWith("cache cleared of origin music: "), clearOne.output);
        Cli clearAll = cli("cache", "clear", "--json");
        assertEquals(0, clearAll.exit, clearAll.output);
        assertTrue(JsonParser.parseString(clearAll.output).getAsJsonObject().has("freedBytes"), clearAll.output);
    }

    @Test
    @Order(5)
    void cliSaysWhenNoDaemonRunsOrTheTokenIsWrong() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-daemon"));
        Cli none = cliFor(empty, "status");
        assertEquals(3, none.exit, none.output);
        assertTrue(none.output.contains("musicfs: no daemon is running for cache " + empty + " (no control.json there)"), none.output);

        Path stale = Files.createDirectories(tmp.resolve("stale"));
        Files.writeString(stale.resolve("control.json"), "{\"url\": \"http://127.0.0.1:" + freePort() + "/\", \"pid\": " + ProcessHandle.current().pid() + "}");
        Files.writeString(stale.resolve("control.token"), "x".repeat(64));
        Cli gone = cliFor(stale, "status", "--json");
        assertEquals(3, gone.exit, gone.output);
        assertTrue(gone.output.contains("musicfs: no daemon answers at http://127.0.0.1:"), gone.output);

        Path wrongToken = Files.createDirectories(tmp.resolve("wrong-token"));
        Files.copy(cache.resolve("control.json"), wrongToken.resolve("control.json"));
        Files.writeString(wrongToken.resolve("control.token"), "f".repeat(64));
        Cli refused = cliFor(wrongToken, "origins");
        assertEquals(1, refused.exit, refused.output);
        assertTrue(refused.output.contains("musicfs: the daemon refused the token in " + wrongToken.resolve("control.token") + " (HTTP 401)"),
                refused.output);
    }

    @Test
    @Order(6)
    void eventsFollowTheDaemonFilteredByTypeAndOrigin() throws Exception {
        int before = subscribers();
        try (Daemon events = Daemon.start(List.of("events", "--type", "library/SYNC_FINISHED", "--origin", "music", "--cache", cache.toString()))) {
            events.awaitLine(line -> line.startsWith("following events"), 30);
            awaitSubscribers(before + 1);
            json("POST", "origins/music/rescan");
            String line = events.awaitLine(l -> l.contains("library/SYNC_FINISHED"), 30);
            assertTrue(line.contains("[music]"), line);
            assertFalse(events.output().contains("TREE_CHANGED"), "filtered by type: " + events.output());
        }
        before = subscribers();
        try (Daemon events = Daemon.start(List.of("events", "--json", "--cache", cache.toString()))) {
            awaitSubscribers(before + 1);
            json("POST", "origins/music/rescan");
            String line = events.awaitLine(l -> l.startsWith("{") && l.contains("SYNC_FINISHED"), 30);
            assertEquals("music", JsonParser.parseString(line).getAsJsonObject().get("origin").getAsString());
        }
    }

    @Test
    @Order(7)
    void webhooksGetSignedEventsAndRetryWhileTheReceiverIsDown() throws Exception {
        delivered.clear();
        json("POST", "origins/music/rescan");
        Delivery delivery = delivered.poll(30, TimeUnit.SECONDS);
        assertNotNull(delivery, "the 'up' webhook received nothing");
        assertEquals("up", delivery.hook());
        assertEquals("sha256=" + hmac(SECRET, delivery.body()), delivery.signature(), "the signature verifies");
        JsonObject event = JsonParser.parseString(new String(delivery.body(), StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("library/SYNC_FINISHED", event.get("type").getAsString());
        assertEquals("music", event.get("origin").getAsString());

        // the 'down' webhook retries with backoff; meanwhile the daemon answers and the mount reads
        awaitJson("status", s -> hook(s, "down").get("retries").getAsLong() >= 1, "a retry of the 'down' webhook");
        TruthEntry track = corpus.present().get(0);
        assertEquals(track.sha256(), MountedTree.sha256(mountPoint.resolve(track.virtualPath())), "reads go on");
        assertEquals(0, hook(json("GET", "status"), "down").get("delivered").getAsLong());

        HttpServer late = receiver(downPort, "down");
        try {
            Delivery retried = awaitDelivery("down", Duration.ofSeconds(30));
            assertTrue(Integer.parseInt(retried.attempt()) >= 2, "delivered by a retry, attempt " + retried.attempt());
            assertEquals("sha256=" + hmac(SECRET, retried.body()), retried.signature());
            awaitJson("status", s -> hook(s, "down").get("delivered").getAsLong() >= 1, "the 'down' webhook's delivery counted");
        } finally {
            late.stop(0);
        }
        assertFalse(json("GET", "status").toString().contains(SECRET), "the secret is not in status");
    }

    @Test
    @Order(8)
    void statusPageInChromiumShowsOriginsAndStateAndFollowsTheOriginGoingAwayAndBack() throws Exception {
        try (Chromium page = Chromium.open(base + "status?token=" + token, tmp.resolve("chromium"))) {
            page.await("document.getElementById('state').textContent", "ready"::equals, Duration.ofSeconds(30), "state ready");
            page.await("document.querySelector('#origins tr[data-origin=\"music\"]')?.innerText", t -> t.contains("local"),
                    Duration.ofSeconds(10), "the origin music");
            assertEquals(null, page.evaluate("document.cookie || null"), "the token cookie is HttpOnly");
            assertFalse(page.evaluate("location.href").contains("token="), "the token left the address bar");

            Path away = tmp.resolve("music-away");
            Files.move(music, away);
            try {
                call("POST", "api/origins/music/rescan", token, "");
                // the only origin is gone: the health monitor (a local origin is unhealthy after one failed probe) says offline
                page.await("document.getElementById('state').textContent", "offline"::equals, Duration.ofSeconds(30), "state offline");
                page.await("document.querySelector('#origins tr[data-origin=\"music\"]')?.innerText", t -> t.contains("UNHEALTHY"),
                        Duration.ofSeconds(10), "the origin music unhealthy");
                page.await("document.querySelector('#origins tr[data-origin=\"music\"] .sync').textContent", t -> t.startsWith("failed:"),
                        Duration.ofSeconds(10), "the failed sync of music");
                assertEquals(corpus.present().size(), json("GET", "status").getAsJsonObject().get("tracks").getAsInt(),
                        "the origin's tracks stay listed");
            } finally {
                Files.move(away, music);
            }
            call("POST", "api/origins/music/rescan", token, "");
            page.await("document.getElementById('state').textContent", "ready"::equals, Duration.ofSeconds(30), "state ready again");
            page.await("document.getElementById('events').innerText", t -> t.contains("library/SYNC_FINISHED"), Duration.ofSeconds(10),
                    "recent events");
        }
    }

    @Test
    @Order(9)
    void shutdownStopsTheDaemonInOrder() throws Exception {
        Cli shutdown = cli("shutdown", "--timeout", "5");
        assertEquals(0, shutdown.exit, shutdown.output);
        assertEquals("musicfs: daemon shutting down, reads may finish for 5.0 s", shutdown.output);
        assertEquals(0, daemon.awaitExit(30), daemon.output());
        assertFalse(Files.exists(cache.resolve("control.json")), "control.json is removed at stop");
        Cli after = cli("status");
        assertEquals(3, after.exit, after.output);
    }

    // helpers

    record Cli(int exit, String output) {
    }

    static Cli cli(String... args) throws Exception {
        return cliFor(cache, args);
    }

    /** Runs the {@code musicfs} script as a user types it, with {@code --cache cacheDir}. */
    static Cli cliFor(Path cacheDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Daemon.ROOT.resolve("musicfs").toString()));
        command.addAll(List.of(args));
        command.add("--cache");
        command.add(cacheDir.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MUSICFS_JAR", Daemon.JAR.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("musicfs " + String.join(" ", args) + " did not end within 60 s: " + output);
        }
        return new Cli(process.exitValue(), output.strip());
    }

    static HttpResponse<String> call(String method, String path, String bearer, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonElement json(String method, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = call(method, "api/" + path, token, method.equals("POST") ? "" : null);
        assertEquals(200, response.statusCode(), method + " " + path + ": " + response.body());
        String body = response.body().strip();
        String[] lines = body.split("\n");
        return JsonParser.parseString(method.equals("POST") ? lines[lines.length - 1] : body);
    }

    static void awaitJson(String path, Predicate<JsonElement> test, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonElement last = null;
        while (System.nanoTime() < deadline) {
            last = json("GET", path);
            if (test.test(last)) {
                return;
            }
            Thread.sleep(100); // polling the API with a deadline
        }
        throw new AssertionError("no " + what + " within 60 s; last answer: " + last);
    }

    static int subscribers() throws Exception {
        return json("GET", "status").getAsJsonObject().getAsJsonObject("events").get("subscribers").getAsInt();
    }

    static void awaitSubscribers(int n) throws Exception {
        awaitJson("status", s -> s.getAsJsonObject().getAsJsonObject("events").get("subscribers").getAsInt() >= n, n + " event subscribers");
    }

    /** Runs CLI commands (words split at a tab if there is one, else at spaces) four at a time; returns each one's result by its command line. */
    static Map<String, Cli> cliAll(List<String> commands) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Map<String, Future<Cli>> running = new LinkedHashMap<>();
            for (String command : commands) {
                running.put(command, pool.submit(() -> cli(command.split(command.contains("\t") ? "\t" : " "))));
            }
            Map<String, Cli> results = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Cli>> entry : running.entrySet()) {
                results.put(entry.getKey(), entry.getValue().get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static JsonObject hook(JsonElement status, String name) {
        for (JsonElement hook : status.getAsJsonObject().getAsJsonArray("webhooks")) {
            if (hook.getAsJsonObject().get("name").getAsString().equals(name)) {
                return hook.getAsJsonObject();
            }
        }
        throw new AssertionError("no webhook " + name + " in " + status);
    }

    static Delivery awaitDelivery(String hook, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Delivery d = delivered.poll(100, TimeUnit.MILLISECONDS);
            if (d != null && d.hook().equals(hook)) {
                return d;
            }
        }
        throw new AssertionError("webhook " + hook + " delivered nothing within " + timeout.toSeconds() + " s");
    }

    static HttpServer receiver(int port, String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            delivered.add(new Delivery(name, exchange.getRequestHeaders().getFirst("X-MusicFS-Signature"),
                    exchange.getRequestHeaders().getFirst("X-MusicFS-Attempt"), exchange.getRequestHeaders().getFirst("X-MusicFS-Event"), body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** @return the addresses listening on {@code port}, from the kernel's socket tables */
    static List<String> listenersOn(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        String hexPort = String.format("%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (!local[1].equals(hexPort) || !f[3].equals("0A")) {
                    continue;
                }
                addresses.add(address(local[0]));
            }
        }
        return addresses;
    }

    /** Decodes /proc/net/tcp{,6} addresses (32-bit little-endian words); IPv4-mapped IPv6 is shown as IPv4. */
    private static String address(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes).getHostAddress();
    }
}
