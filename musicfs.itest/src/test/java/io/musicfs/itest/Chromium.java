package io.musicfs.itest;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Headless Chromium (the Debian {@code chromium} package) driven through the DevTools protocol: one
 * page is opened at a URL and JavaScript is evaluated in it, so a test can watch a live page change.
 */
final class Chromium implements AutoCloseable {

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private WebSocket socket;

    private Chromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** Starts Chromium and opens {@code url} in a new page. */
    static Chromium open(String url, Path profile) throws Exception {
        Files.createDirectories(profile);
        Process process = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Chromium chromium = new Chromium(process, profile);
        try {
            chromium.connect(url);
        } catch (Exception | AssertionError e) {
            chromium.close();
            throw e;
        }
        return chromium;
    }

    private void connect(String url) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("Chromium did not open its DevTools port; its log:\n" + Files.readString(profile.resolve("chromium.log")));
            }
            Thread.sleep(50); // polling for the file Chromium writes; no event tells
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
        HttpResponse<String> target = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?"
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        String ws = JsonParser.parseString(target.body()).getAsJsonObject().get("webSocketDebuggerUrl").getAsString();
        socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    JsonObject message = JsonParser.parseString(text.toString()).getAsJsonObject();
                    text.setLength(0);
                    if (message.has("id")) {
                        CompletableFuture<JsonObject> reply = pending.remove(message.get("id").getAsInt());
                        if (reply != null) {
                            reply.complete(message);
                        }
                    }
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** @return the value of a JavaScript expression in the page, as text ({@code null} for null or undefined) */
    String evaluate(String expression) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        JsonObject call = new JsonObject();
        call.addProperty("id", id);
        call.addProperty("method", "Runtime.evaluate");
        JsonObject params = new JsonObject();
        params.addProperty("expression", expression);
        params.addProperty("returnByValue", true);
        call.add("params", params);
        socket.sendText(call.toString(), true).get(10, TimeUnit.SECONDS);
        JsonObject result = reply.get(10, TimeUnit.SECONDS).getAsJsonObject("result").getAsJsonObject("result");
        return result.has("value") && !result.get("value").isJsonNull() ? result.get("value").getAsString() : null;
    }

    /** Evaluates {@code expression} until its value passes {@code test}; fails with the last value after the deadline. */
    String await(String expression, Predicate<String> test, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String value = null;
        while (System.nanoTime() < deadline) {
            value = evaluate(expression);
            if (value != null && test.test(value)) {
                return value;
            }
            Thread.sleep(100); // polling the page's DOM with a deadline
        }
        throw new AssertionError("the page did not show " + what + " within " + timeout.toSeconds() + " s; last value: " + value
                + "\npage text: " + evaluate("document.body ? document.body.innerText : document.documentElement.outerHTML"));
    }

    @Override
    public void close() throws Exception {
        if (socket != null) {
            socket.abort();
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
