package io.musicfs.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.musicfs.api.health.OriginHealth;
import io.musicfs.api.health.ServiceState;
import io.musicfs.api.library.SyncState;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's HTTP and JSON layer over hand-written services, in particular those that arrive with
 * other bundles (cache admin, health monitor, lifecycle): what each call answers, streams and asks
 * of the services.
 */
class ApiServletTest {

    @TempDir
    Path tmp;
    FakeServices services = new FakeServices();
    FakeServices.FakeLibrary library = new FakeServices.FakeLibrary();
    ExecutorService work = Executors.newCachedThreadPool();
    EventHub events = new EventHub(Clock.systemUTC());
    String token;
    ApiServlet api;

    @BeforeEach
    void setUp() throws IOException {
        AccessToken accessToken = AccessToken.load(tmp.resolve("control.token"));
        token = java.nio.file.Files.readString(tmp.resolve("control.token")).strip();
        library.tree = new FakeServices.Tree("nas", "/Artist/Album/01 - One.flac", "/Artist/Album/02 - Two.flac", "/Other/X/01 - Three.flac");
        library.syncs.put("nas", new SyncState("nas", false, 1, 3, null));
        services.library = library;
        services.mount = new FakeServices.FakeMount();
        services.origins.add(new Services.OriginService("nas", "sftp", 1));
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T01:00:00Z"), ZoneOffset.UTC);
        api = new ApiServlet(services, events, new Access(accessToken), work, new StatusReport(services, clock));
    }

    @AfterEach
    void tearDown() {
        work.shutdownNow();
    }

    FakeHttp.Response send(HttpServletRequest request) throws IOException {
        FakeHttp.Response response = new FakeHttp.Response();
        api.service(request, response.proxy());
        return response;
    }

    FakeHttp.Response call(String method, String path, Map<String, String> params, String body) throws IOException {
        return send(FakeHttp.call(method, path, token, params, body));
    }

    static JsonObject json(FakeHttp.Response response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    static List<JsonObject> lines(FakeHttp.Response response) {
        return response.body().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    @Test
    void refusesCallsWithoutTheTokenAndCookiesForCommands() throws IOException {
        FakeHttp.Response none = send(FakeHttp.call("GET", "/status", null, Map.of(), null));
        assertEquals(401, none.status);
        assertEquals("Bearer realm=\"musicfs\"", none.header("WWW-Authenticate"));
        assertEquals(401, send(FakeHttp.call("GET", "/status", "not-the-token", Map.of(), null)).status);

        Cookie cookie = new Cookie(Access.COOKIE, token);
        assertEquals(200, send(FakeHttp.request("GET", "/status", Map.of(), Map.of(), null, cookie)).status, "the page reads with its cookie");
        assertEquals(401, send(FakeHttp.request("POST", "/origins/nas/rescan", Map.of(), Map.of(), null, cookie)).status,
                "a command needs the header, not the cookie");
        assertTrue(library.rescans.isEmpty());
    }

    @Test
    void statusUsesTheHealthMonitorAndTheCacheWhenTheyRun() throws IOException {
        JsonObject without = json(call("GET", "/status", Map.of(), null));
        assertEquals("ready", without.get("state").getAsString());
        assertEquals("cache service not available", without.get("cacheError").getAsString());
        assertEquals("9.9.9", without.get("version").getAsString());
        assertEquals(3600, without.get("uptimeSeconds").getAsLong());
        assertEquals(3, without.get("tracks").getAsInt());
        assertEquals(2, without.get("openHandles").getAsInt());
        assertEquals("health monitor not available", without.getAsJsonArray("origins").get(0).getAsJsonObject().get("healthError").getAsString());

        FakeServices.FakeHealth health = new FakeServices.FakeHealth();
        health.state = ServiceState.DEGRADED;
        health.origins.add(new OriginHealth("nas", "sftp", 1, OriginHealth.State.UNHEALTHY, "connection refused", Duration.ofMillis(42),
                Instant.parse("2026-01-01T00:30:00Z"), 3));
        services.health = health;
        services.cache = new FakeServices.FakeCache();
        services.lifecycle = new FakeServices.FakeLifecycle();
        JsonObject with = json(call("GET", "/status", Map.of(), null));
        assertEquals("degraded", with.get("state").getAsString());
        assertEquals("1.2.3", with.get("version").getAsString());
        assertEquals(5 << 20, with.getAsJsonObject("cache").get("bytes").getAsLong());
        assertEquals(0.75, with.getAsJsonObject("cache").get("hitRatio").getAsDouble());
        JsonObject nas = with.getAsJsonArray("origins").get(0).getAsJsonObject().getAsJsonObject("health");
        assertEquals("UNHEALTHY", nas.get("state").getAsString());
        assertEquals("connection refused", nas.get("reason").getAsString());
        assertEquals(42.0, nas.get("latencyMillis").getAsDouble());
    }

    @Test
    void stateWithoutTheHealthMonitorFollowsMountAndSyncs() {
        FakeServices.FakeMount mount = new FakeServices.FakeMount();
        assertEquals("ready", StatusReport.state(mount, library, null));
        library.syncs.put("nas", new SyncState("nas", true, 1, 0, null));
        assertEquals("syncing", StatusReport.state(mount, library, null));
        library.syncs.put("nas", new SyncState("nas", false, 1, 0, "origin nas: music folder is missing"));
        assertEquals("degraded", StatusReport.state(mount, library, null));
        mount.state = io.musicfs.api.mount.Mount.State.MOUNTING;
        assertEquals("mounting", StatusReport.state(mount, library, null));
        assertEquals("mounting", StatusReport.state(null, library, null));
    }

    @Test
    void unknownOriginsAndCallsAreNamed() throws IOException {
        FakeHttp.Response unknown = call("GET", "/origins/s3", Map.of(), null);
        assertEquals(404, unknown.status);
        assertEquals("unknown origin 's3' (known: nas)", json(unknown).get("error").getAsString());
        assertEquals(404, call("POST", "/origins/s3/rescan", Map.of(), "").status);
        services.cache = new FakeServices.FakeCache();
        assertEquals(404, call("POST", "/cache/clear", Map.of("origin", "s3"), "").status);
        FakeHttp.Response search = call("GET", "/search", Map.of(), null);
        assertEquals(404, search.status);
        assertTrue(json(search).get("error").getAsString().contains("search does not exist yet"));
        assertEquals(405, call("GET", "/shutdown", Map.of(), null).status);
    }

    @Test
    void cacheCallsSayWhenTheCacheServiceIsMissing() throws IOException {
        for (String[] c : new String[][] {{"GET", "/cache"}, {"POST", "/cache/verify"}, {"POST", "/cache/clear"}}) {
            FakeHttp.Response response = call(c[0], c[1], Map.of(), "");
            assertEquals(503, response.status, c[1]);
            assertEquals("cache service not available", json(response).get("error").getAsString());
        }
    }

    @Test
    void cacheStatsClearAndVerifyWithProgress() throws IOException {
        FakeServices.FakeCache cache = new FakeServices.FakeCache();
        services.cache = cache;
        assertEquals(5, json(call("GET", "/cache", Map.of(), null)).get("chunks").getAsLong());

        JsonObject cleared = json(call("POST", "/cache/clear", Map.of("origin", "nas"), ""));
        assertEquals(12345, cleared.get("freedBytes").getAsLong());
        call("POST", "/cache/clear", Map.of(), "");
        assertEquals(List.of("nas", "null"), cache.cleared, "one origin's part, then all");

        FakeHttp.Response verify = call("POST", "/cache/verify", Map.of(), "");
        assertEquals("application/x-ndjson", verify.contentType);
        List<JsonObject> lines = lines(verify);
        assertEquals("started", lines.get(0).get("type").getAsString());
        JsonObject progress = lines.get(lines.size() - 2);
        assertEquals("progress", progress.get("type").getAsString());
        assertEquals(4, progress.get("done").getAsLong());
        assertEquals(4, progress.get("total").getAsLong());
        JsonObject result = lines.get(lines.size() - 1);
        assertEquals("result", result.get("type").getAsString());
        assertEquals(1, result.get("corrupt").getAsLong());
        assertEquals(1.5, result.get("seconds").getAsDouble());
    }

    @Test
    void prefetchResolvesFoldersAndMountPathsThroughTheTree() throws IOException {
        FakeServices.FakeCache cache = new FakeServices.FakeCache();
        services.cache = cache;
        FakeHttp.Response response = call("POST", "/prefetch", Map.of(), "{\"paths\": [\"/mnt/music/Artist\", \"Other/X/01 - Three.flac\"]}");
        JsonObject result = lines(response).get(lines(response).size() - 1);
        assertEquals(3, result.get("files").getAsInt(), response.body());
        assertEquals(List.of("src/Artist/Album/01 - One.flac", "src/Artist/Album/02 - Two.flac", "src/Other/X/01 - Three.flac"),
                cache.prefetched.stream().map(f -> f.path()).toList());

        FakeHttp.Response missing = call("POST", "/prefetch", Map.of(), "{\"paths\": [\"/Nobody\"]}");
        assertEquals(404, missing.status);
        assertEquals("no such path in the library: /Nobody", json(missing).get("error").getAsString());
        assertEquals(400, call("POST", "/prefetch", Map.of(), "[1, 2]").status);
        assertEquals(400, call("POST", "/prefetch", Map.of(), "{\"paths\": []}").status);
    }

    @Test
    void rescanStreamsUntilTheSyncFinishedEvent() throws Exception {
        Thread finisher = new Thread(() -> {
            try {
                while (library.rescans.isEmpty()) {
                    Thread.sleep(5); // polling a fake; the servlet calls rescan on its own thread
                }
                events.publish(new org.osgi.service.event.Event("io/musicfs/library/SYNC_FINISHED",
                        Map.of("origin", "nas", "added", 2, "changed", 0, "removed", 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        finisher.start();
        FakeHttp.Response response = call("POST", "/origins/nas/rescan", Map.of(), "");
        finisher.join();
        List<JsonObject> lines = lines(response);
        JsonObject result = lines.get(lines.size() - 1);
        assertEquals("result", result.get("type").getAsString(), response.body());
        assertEquals(2, result.get("added").getAsInt());
        assertEquals(1, result.get("removed").getAsInt());
    }

    @Test
    void shutdownAsksTheLifecycleWithTheDrainTimeout() throws IOException {
        FakeHttp.Response missing = call("POST", "/shutdown", Map.of(), "");
        assertEquals(503, missing.status);
        assertTrue(json(missing).get("error").getAsString().startsWith("lifecycle service not available"));

        FakeServices.FakeLifecycle lifecycle = new FakeServices.FakeLifecycle();
        services.lifecycle = lifecycle;
        assertEquals(400, call("POST", "/shutdown", Map.of("timeout", "soon"), "").status);
        assertNull(lifecycle.reason);
        FakeHttp.Response accepted = call("POST", "/shutdown", Map.of("timeout", "2.5"), "");
        assertEquals(202, accepted.status);
        assertEquals(Duration.ofMillis(2500), lifecycle.drain);
        assertEquals("shutdown requested over the control API", lifecycle.reason);
        call("POST", "/shutdown", Map.of(), "");
        assertNull(lifecycle.drain, "no timeout: the configured default");
    }

    @Test
    void recentEventsAreFilteredByTypeAndOrigin() throws IOException {
        events.publish(new org.osgi.service.event.Event("io/musicfs/library/SYNC_FINISHED", Map.of("origin", "nas")));
        events.publish(new org.osgi.service.event.Event("io/musicfs/library/TREE_CHANGED", Map.of("tracks", 3)));
        events.publish(new org.osgi.service.event.Event("io/musicfs/health/ORIGIN_HEALTH", Map.of("origin", "s3", "health", "UNHEALTHY")));
        JsonArray library = JsonParser.parseString(call("GET", "/events/recent", Map.of("type", "LIBRARY"), null).body()).getAsJsonArray();
        assertEquals(2, library.size());
        JsonArray nas = JsonParser.parseString(call("GET", "/events/recent", Map.of("origin", "nas"), null).body()).getAsJsonArray();
        assertEquals(1, nas.size());
        assertEquals("library/SYNC_FINISHED", nas.get(0).getAsJsonObject().get("type").getAsString());
        JsonArray none = JsonParser.parseString(call("GET", "/events/recent", Map.of("type", "lib"), null).body()).getAsJsonArray();
        assertEquals(0, none.size(), "a type matches whole segments");
    }

    @Test
    void aSlowEventSubscriberLosesEventsThatAreCounted() {
        try (EventHub.Subscription slow = events.subscribe(ControlEvent.Filter.ALL)) {
            for (int i = 0; i < EventHub.SUBSCRIBER_QUEUE + 5; i++) {
                events.publish(new org.osgi.service.event.Event("io/musicfs/library/TREE_CHANGED", Map.of("tracks", i)));
            }
            assertEquals(5, events.dropped());
        }
        assertEquals(0, events.subscribers());
        assertEquals(EventHub.RECENT, events.recent(ControlEvent.Filter.ALL).size(), "recent events are bounded");
    }

    @Test
    void eventStreamsCarryEventsAndEndWhenTheBundleStops() throws Exception {
        FakeHttp.Response response = new FakeHttp.Response();
        Thread stream = new Thread(() -> {
            try {
                api.service(FakeHttp.call("GET", "/events", token, Map.of("origin", "nas"), null), response.proxy());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        stream.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (events.subscribers() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // waiting for the stream's subscription
        }
        events.publish(new org.osgi.service.event.Event("io/musicfs/library/SYNC_FINISHED", Map.of("origin", "s3")));
        events.publish(new org.osgi.service.event.Event("io/musicfs/library/SYNC_FINISHED", Map.of("origin", "nas")));
        while (!response.body().contains("data: ") && System.nanoTime() < deadline) {
            Thread.sleep(5); // waiting for the event to be written
        }
        api.close();
        stream.join(2000);
        assertFalse(stream.isAlive(), "the stream ended when the bundle stopped, without waiting for a keepalive");
        assertEquals("text/event-stream", response.contentType);
        List<String> data = response.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertEquals(1, data.size(), response.body());
        assertTrue(data.get(0).contains("\"origin\":\"nas\""), data.get(0));
        assertEquals(0, events.subscribers());
    }

    @Test
    void treePathsAcceptMountPathsAndRelativePaths() {
        Path mp = Path.of("/mnt/music");
        assertEquals("/A/B", ApiServlet.treePath("/mnt/music/A/B/", mp));
        assertEquals("/", ApiServlet.treePath("/mnt/music", mp));
        assertEquals("/A", ApiServlet.treePath("A", mp));
        assertEquals("/mnt/musical", ApiServlet.treePath("/mnt/musical", mp));
        assertFalse(ApiServlet.treePath("//A//B", null).contains("//"));
    }
}
