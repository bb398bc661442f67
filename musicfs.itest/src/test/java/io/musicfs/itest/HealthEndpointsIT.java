package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.musicfs.testkit.corpus.AudioFormat;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health endpoint and the metrics of the real daemon started by the real launcher, on the
 * loopback port its config file gives: {@code /system/health} turns critical when the origin goes
 * away and OK when it returns, tags select checks, and {@code /metrics} parses as Prometheus text
 * (with the Prometheus project's own Python parser) and moves with reads through the mount.
 */
class HealthEndpointsIT {

    /** Debian's python3 with python3-prometheus-client (test.sh installs it), not whatever is first on PATH */
    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path tmp;
    static Path music;
    static Path mountPoint;
    static Daemon daemon;
    static String base;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        music = tmp.resolve("music");
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        CorpusGenerator.generate(music, CorpusSpec.of(4).withFormats(AudioFormat.FLAC).withHardCases(false));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        Path config = tmp.resolve("musicfs.conf");
        Files.writeString(config, String.join("\n",
                "mount = " + mountPoint,
                "cache = " + tmp.resolve("cache"),
                "[origin music]",
                "path = " + music,
                "[control]",
                "port = " + port, ""));
        daemon = Daemon.start(List.of("mount", "--config", config.toString()));
        daemon.awaitServing();
        daemon.awaitLine(line -> line.contains("origin music: sync finished"), 120);
        daemon.awaitLine(line -> line.contains("control API listening at"), 60);   // the listener opens once the mount is up
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.saveOutput("HealthEndpointsIT");
                daemon.close();
            }
        } finally {
            Mounts.forceUnmount(mountPoint);
        }
    }

    @Test
    void healthTurnsCriticalWhenTheOriginIsGoneAndOkWhenItReturns() throws Exception {
        HttpResponse<String> ok = await("/system/health?format=json", r -> r.statusCode() == 200 && r.body().contains("\"overallResult\":\"OK\""));
        for (String check : List.of("MusicFS origins", "MusicFS mount", "MusicFS catalog", "MusicFS cache")) {
            assertTrue(ok.body().contains("\"name\":\"" + check + "\""), check + " missing: " + ok.body());
        }
        HttpResponse<String> mountOnly = get("/system/health?tags=mount&format=json");
        assertTrue(mountOnly.body().contains("MusicFS mount") && !mountOnly.body().contains("MusicFS origins"), mountOnly.body());

        Path away = tmp.resolve("music.away");
        Files.move(music, away);
        try {
            // a read of an uncached chunk fails and has the origin probed at once; without one, the
            // next probe (10 s at most) finds it: a local origin is unhealthy after one failed probe
            long start = System.nanoTime();
            boolean readFailed = readEveryTrack() > 0;
            HttpResponse<String> critical = await("/system/health?format=json", r -> r.statusCode() == 503);
            if (readFailed) {
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                assertTrue(seconds < 5, "a failed read had the origin judged within " + seconds + " s, not at the next round");
            }
            assertTrue(critical.body().contains("\"overallResult\":\"CRITICAL\""), critical.body());
            assertTrue(critical.body().contains("origin music: unhealthy"), critical.body());
            assertTrue(critical.body().contains("music folder is missing"), critical.body());
            assertEquals(503, get("/system/health?tags=origins&format=json").statusCode());
            assertEquals(200, get("/system/health?tags=mount&format=json").statusCode(), "the mount itself stays up");

            // offline: uncached reads fail at once, summarised in the log rather than one error per read
            long offlineStart = System.nanoTime();
            int refused = readEveryTrack();
            long offlineMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offlineStart);
            if (refused > 0) {
                assertTrue(offlineMillis < 2_000, refused + " failed reads took " + offlineMillis + " ms");
                daemon.awaitLine(line -> line.contains("offline: ") && line.contains("refused since the last summary"), 5);
            }
        } finally {
            Files.move(away, music);
        }
        HttpResponse<String> back = await("/system/health?tags=origins&format=json", r -> r.statusCode() == 200);
        assertTrue(back.body().contains("origin music: healthy"), back.body());
        daemon.awaitLine(line -> line.contains("origin music: UNHEALTHY -> HEALTHY"), 5);
    }

    @Test
    void metricsParseAsPrometheusTextAndMoveWithReads() throws Exception {
        Map<String, Double> before = scrape();
        for (String name : List.of("musicfs_mounted", "musicfs_tracks", "musicfs_uptime_seconds",
                "musicfs_origin_up{origin=music}", "jvm_memory_used_bytes{area=heap}", "musicfs_sync_files_seen{origin=music}")) {
            assertTrue(before.containsKey(name), name + " missing from " + before.keySet());
        }
        assertEquals(1.0, before.get("musicfs_mounted"));
        assertEquals(4.0, before.get("musicfs_tracks"));

        Path track;
        try (Stream<Path> files = Files.walk(mountPoint)) {
            track = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        long size = Files.readAllBytes(track).length;
        assertTrue(size > 0, track.toString());

        Map<String, Double> after = scrape();
        String reads = "musicfs_fuse_operations_total{operation=read}";
        assertTrue(after.getOrDefault(reads, 0.0) > before.getOrDefault(reads, 0.0),
                "read count " + before.get(reads) + " -> " + after.get(reads));
        String readLatency = "musicfs_fuse_operation_duration_seconds_count{operation=read}";
        assertEquals(after.get(reads), after.get(readLatency), "the latency histogram counts every read");
        assertTrue(after.containsKey("musicfs_cache_misses_total"), "the chunk cache's counters are exported");
        double chunksBefore = before.getOrDefault("musicfs_cache_misses_total", 0.0) + before.getOrDefault("musicfs_cache_hits_total", 0.0);
        double chunksAfter = after.get("musicfs_cache_misses_total") + after.get("musicfs_cache_hits_total");
        assertTrue(chunksAfter > chunksBefore, "cache hits + misses " + chunksBefore + " -> " + chunksAfter);
        String served = "musicfs_cache_served_bytes_total";
        assertTrue(after.get(served) > before.getOrDefault(served, 0.0), "bytes served " + before.get(served) + " -> " + after.get(served));
    }

    /** Reads every track through the mount; @return how many reads failed (EIO) */
    static int readEveryTrack() throws IOException {
        int failed = 0;
        try (Stream<Path> files = Files.walk(mountPoint)) {
            for (Path track : files.filter(Files::isRegularFile).toList()) {
                try {
                    Files.readAllBytes(track);
                } catch (IOException eio) {
                    failed++;
                }
            }
        }
        return failed;
    }

    /**
     * Scrapes {@code /metrics} and parses it with {@code prometheus_client.parser}.
     *
     * @return every sample as {@code name{label=value,...}} (labels sorted) to its value
     */
    static Map<String, Double> scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        Path text = Files.createTempFile(tmp, "metrics", ".txt");
        Files.writeString(text, response.body());
        String script = String.join("\n",
                "import sys",
                "from prometheus_client.parser import text_string_to_metric_families",
                "for family in text_string_to_metric_families(open(sys.argv[1]).read()):",
                "    for s in family.samples:",
                "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))",
                "        print(s.name + ('{' + labels + '}' if labels else '') + '\\t' + repr(float(s.value)))");
        Process python = new ProcessBuilder(PYTHON, "-c", script, text.toString()).redirectErrorStream(true).start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(30, TimeUnit.SECONDS), "the parser did not finish");
        assertEquals(0, python.exitValue(), "prometheus_client could not parse /metrics:\n" + out + "\n--- the text:\n" + response.body());
        Map<String, Double> samples = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                String[] parts = line.split("\t");
                samples.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        assertFalse(samples.isEmpty(), response.body());
        return samples;
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the response satisfies the condition; fails with the last response after 20 s. */
    static HttpResponse<String> await(String path, Predicate<HttpResponse<String>> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HttpResponse<String> last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                last = get(path);
                if (condition.test(last)) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // the HTTP listener starts when the launcher's configuration arrives
            }
            Thread.sleep(200);
        }
        throw new AssertionError("GET " + path + " did not reach the expected state within 20 s; last: "
                + (last == null ? "no answer" : last.statusCode() + " " + last.body()) + "\ndaemon output:\n" + daemon.output());
    }
}
