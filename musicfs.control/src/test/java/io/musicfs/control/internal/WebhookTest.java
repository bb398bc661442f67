package io.musicfs.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery against a real HTTP receiver (the JDK's server): signing, retries, giving up, dropping. */
class WebhookTest {

    static final String SECRET = "s3cr3t";

    record Received(String signature, int attempt, String body) {
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final AtomicInteger failFirst = new AtomicInteger();
    volatile int failStatus = 503;
    HttpServer server;
    Webhook webhook;

    @AfterEach
    void tearDown() {
        if (webhook != null) {
            webhook.deactivate();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    URI startReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int attempt = Integer.parseInt(exchange.getRequestHeaders().getFirst("X-MusicFS-Attempt"));
            if (failFirst.getAndDecrement() > 0) {
                exchange.sendResponseHeaders(failStatus, -1);
            } else {
                received.add(new Received(exchange.getRequestHeaders().getFirst("X-MusicFS-Signature"), attempt,
                        new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook?token=abc");
    }

    static Webhook.Config config(String url, String secret, int queueSize, int attempts, String... events) {
        return new Webhook.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return Webhook.Config.class;
            }

            @Override
            public String name() {
                return "ops";
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String _secret() {
                return secret;
            }

            @Override
            public String[] events() {
                return events;
            }

            @Override
            public int queueSize() {
                return queueSize;
            }

            @Override
            public int attempts() {
                return attempts;
            }

            @Override
            public long retryDelayMillis() {
                return 10;
            }

            @Override
            public long timeoutMillis() {
                return 2000;
            }
        };
    }

    static ControlEvent event(long id, String type, String origin) {
        return new ControlEvent(id, Instant.parse("2026-01-01T00:00:00Z"), type, origin, Map.of("origin", origin));
    }

    @Test
    void deliversChosenEventsSignedWithTheSecret() throws Exception {
        URI url = startReceiver();
        webhook = new Webhook();
        webhook.activate(config(url.toString(), SECRET, 10, 3, "health"));
        webhook.offer(event(1, "library/SYNC_FINISHED", "nas"));
        webhook.offer(event(2, "health/ORIGIN_HEALTH", "nas"));
        Received got = received.poll(10, TimeUnit.SECONDS);
        assertEquals(1, got.attempt());
        assertTrue(got.body().contains("\"type\":\"health/ORIGIN_HEALTH\""), got.body());
        assertEquals("sha256=" + Webhook.sign(SECRET.getBytes(StandardCharsets.UTF_8), got.body().getBytes(StandardCharsets.UTF_8)),
                got.signature());
        assertEquals(64 + 7, got.signature().length());
        assertEquals(null, received.poll(200, TimeUnit.MILLISECONDS), "the library event was not chosen");
    }

    @Test
    void retriesServerErrorsWithBackoffThenDelivers() throws Exception {
        URI url = startReceiver();
        failFirst.set(2);
        webhook = new Webhook();
        webhook.activate(config(url.toString(), SECRET, 10, 5));
        webhook.offer(event(1, "library/SYNC_FINISHED", "nas"));
        Received got = received.poll(10, TimeUnit.SECONDS);
        assertEquals(3, got.attempt(), "two 503 answers, then delivered");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!webhook.describe().get("delivered").equals(1L) && System.nanoTime() < deadline) {
            Thread.sleep(10); // the counter moves after the receiver answered
        }
        Map<String, Object> described = webhook.describe();
        assertEquals(2L, described.get("retries"));
        assertEquals(1L, described.get("delivered"));
    }

    @Test
    void refusalsAreNotRetriedAndFailuresAreCounted() throws Exception {
        URI url = startReceiver();
        failFirst.set(100);
        failStatus = 400;
        webhook = new Webhook();
        webhook.activate(config(url.toString(), SECRET, 10, 5));
        assertTrue(webhook.deliver(event(1, "library/TREE_CHANGED", "nas")).startsWith("HTTP 400 (not retried"));
        assertEquals(0L, webhook.describe().get("retries"));
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        // nothing listens on this port: every delivery fails and retries, so the queue fills
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        webhook = new Webhook();
        webhook.activate(config("http://127.0.0.1:" + port + "/hook", SECRET, 2, 1000));
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            webhook.offer(event(i, "library/TREE_CHANGED", "nas"));
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "offering never waits");
        long dropped = (Long) webhook.describe().get("dropped");
        assertTrue(dropped >= 47, "dropped " + dropped);
    }

    @Test
    void badSettingsNameTheKeyAndSecretsStayHidden() {
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> Webhook.Settings.of(config("ftp://host/x", SECRET, 10, 3)));
        assertEquals("webhook ops: url: 'ftp://host/x' is not an http or https URL", url.getMessage());
        assertEquals("webhook ops: secret: not set (the key receivers check X-MusicFS-Signature with)",
                assertThrows(IllegalArgumentException.class, () -> Webhook.Settings.of(config("http://h/x", "", 10, 3))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Webhook.Settings.of(config("http://h/x", SECRET, 0, 3)))
                .getMessage().startsWith("webhook ops: queueSize"));
        Webhook.Settings ok = Webhook.Settings.of(config("https://user:pw@hooks.example:8443/in?key=k", SECRET, 10, 3, "library, health"));
        assertFalse(ok.toString().contains(SECRET));
        assertEquals("https://hooks.example:8443/in?...", Webhook.redact(ok.url()));
        assertEquals(List.of("library", "health"), ok.filters().stream().map(ControlEvent.Filter::type).toList());
    }

    @Test
    void backoffDoublesUpToAMinute() {
        assertEquals(1000, Webhook.backoffMillis(1000, 2));
        assertEquals(2000, Webhook.backoffMillis(1000, 3));
        assertEquals(8000, Webhook.backoffMillis(1000, 5));
        assertEquals(60_000, Webhook.backoffMillis(1000, 30));
    }
}
