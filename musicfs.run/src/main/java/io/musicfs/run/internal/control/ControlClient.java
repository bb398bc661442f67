package io.musicfs.run.internal.control;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The CLI side of the control API: finds the daemon of a cache folder through its
 * {@code control.json}, calls it with the token from {@code control.token}, and prints the answer
 * for a person (default) or as JSON ({@code --json}).
 *
 * <p>Exit codes: 0 done; 1 the daemon refused or the operation failed (the message says why);
 * 3 no daemon runs for that cache folder.
 */
public final class ControlClient {

    public static final int FAILED = 1;
    public static final int NO_DAEMON = 3;

    private static final Gson PRETTY = new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();
    private static final Gson COMPACT = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ControlRequest request;
    private final Path cacheDir;
    private final String shownCache;
    private final PrintStream out;
    private final boolean terminal;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI base;
    private String token;

    private ControlClient(ControlRequest request, Path cacheDir, String shownCache, PrintStream out, boolean terminal) {
        this.request = request;
        this.cacheDir = cacheDir;
        this.shownCache = shownCache;
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * Runs one command against the daemon of {@code cacheDir}.
     *
     * @param shownCache the cache folder as messages show it ({@code ~} for the home folder)
     * @param terminal whether {@code out} is a terminal (progress redrawn in place)
     * @return the exit code
     */
    public static int run(ControlRequest request, Path cacheDir, String shownCache, PrintStream out, PrintStream err, boolean terminal) {
        ControlClient client = new ControlClient(request, cacheDir, shownCache, out, terminal);
        try {
            client.connect();
            return client.execute();
        } catch (Failure e) {
            out.flush();
            err.println("musicfs: " + e.getMessage());
            return e.exitCode;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    /** Something the command could not do: the message for the user and the exit code. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private void connect() throws Failure {
        Path endpointFile = cacheDir.resolve("control.json");
        JsonObject endpoint;
        try {
            endpoint = JsonParser.parseString(Files.readString(endpointFile)).getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new Failure(NO_DAEMON, "no daemon is running for cache " + shownCache + " (no control.json there); start one with 'musicfs mount'");
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new Failure(FAILED, "cannot read " + endpointFile + ": " + e.getMessage());
        }
        if (endpoint.has("pid") && ProcessHandle.of(endpoint.get("pid").getAsLong()).isEmpty()) {
            throw new Failure(NO_DAEMON, "no daemon is running for cache " + shownCache + " (its control.json names process "
                    + endpoint.get("pid").getAsLong() + ", which is gone)");
        }
        base = URI.create(endpoint.get("url").getAsString());
        Path tokenFile = cacheDir.resolve("control.token");
        try {
            token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new Failure(FAILED, "cannot read the control token " + tokenFile + " (" + e.getClass().getSimpleName()
                    + "); run as the user the daemon runs as");
        }
    }

    private int execute() throws Failure, InterruptedException {
        switch (request.command()) {
            case "status" -> show(get("status"), this::printStatus);
            case "origins" -> {
                if (request.arguments().isEmpty()) {
                    show(get("origins"), this::printOrigins);
                } else {
                    show(get("origins/" + encode(request.arguments().get(0))), this::printOrigin);
                }
            }
            case "rescan" -> {
                String id = request.arguments().get(0);
                stream("origins/" + encode(id) + "/rescan", null, ProgressView.counting(out, terminal, "files"),
                        r -> "origin " + id + ": sync finished: " + str(r, "added") + " added, " + str(r, "changed") + " changed, "
                                + str(r, "removed") + " removed (" + str(r, "filesSeen") + " files listed)");
            }
            case "cache" -> cache();
            case "prefetch" -> {
                JsonObject body = new JsonObject();
                JsonArray paths = new JsonArray();
                request.arguments().forEach(paths::add);
                body.add("paths", paths);
                stream("prefetch", COMPACT.toJson(body), ProgressView.bytes(out, terminal),
                        r -> "prefetched " + str(r, "files") + " files: " + ProgressView.formatBytes(r.get("fetchedBytes").getAsLong())
                                + " fetched from origins, " + str(r, "failed") + " failed");
            }
            case "events" -> events();
            case "shutdown" -> {
                String query = request.timeout() == null ? "" : "?timeout=" + request.timeout();
                show(send("POST", "shutdown" + query, null), r -> out.println("musicfs: daemon shutting down"
                        + (r.getAsJsonObject().get("drainTimeoutSeconds").isJsonNull() ? ""
                                : ", reads may finish for " + r.getAsJsonObject().get("drainTimeoutSeconds").getAsDouble() + " s")));
            }
            default -> throw new IllegalStateException("not a control command: " + request.command());
        }
        return 0;
    }

    private void cache() throws Failure, InterruptedException {
        switch (request.arguments().get(0)) {
            case "stats" -> show(get("cache"), r -> printCache(r.getAsJsonObject()));
            case "clear" -> {
                String origin = request.arguments().size() > 1 ? request.arguments().get(1) : null;
                show(send("POST", "cache/clear" + (origin == null ? "" : "?origin=" + encode(origin)), null),
                        r -> out.println("cache cleared" + (origin == null ? "" : " of origin " + origin) + ": "
                                + ProgressView.formatBytes(r.getAsJsonObject().get("freedBytes").getAsLong()) + " freed"));
            }
            case "verify" -> stream("cache/verify", null, ProgressView.counting(out, terminal, "chunks"),
                    r -> "cache verified: " + str(r, "checked") + " chunks checked, " + str(r, "corrupt") + " corrupt, " + str(r, "missing")
                            + " missing, " + str(r, "unindexed") + " unindexed (bad ones dropped, refetched when read)"
                            + (r.get("accountingFixed").getAsBoolean() ? "; size accounting corrected" : ""));
            default -> throw new IllegalStateException("not a cache command: " + request.arguments());
        }
    }

    // Printing

    private void show(JsonElement answer, java.util.function.Consumer<JsonElement> human) {
        if (request.json()) {
            out.println(PRETTY.toJson(answer));
        } else {
            human.accept(answer);
        }
    }

    private void printStatus(JsonElement answer) {
        JsonObject s = answer.getAsJsonObject();
        out.println("musicfs " + str(s, "version") + ", up " + duration(s.get("uptimeSeconds").getAsLong()) + ", state: " + str(s, "state"));
        if (s.has("mountPoint")) {
            long ops = 0;
            long errors = 0;
            for (JsonElement op : s.getAsJsonArray("operations")) {
                ops += op.getAsJsonObject().get("count").getAsLong();
                errors += op.getAsJsonObject().get("errors").getAsLong();
            }
            out.println("  mount:   " + str(s, "mountPoint") + " (" + str(s, "mountState").toLowerCase(Locale.ROOT) + "), "
                    + (s.has("tracks") ? str(s, "tracks") + " tracks, " : "") + str(s, "openHandles") + " open files, "
                    + ops + " FUSE operations (" + errors + " errors)");
        } else {
            out.println("  mount:   " + str(s, "mountError"));
        }
        out.print("  cache:   ");
        if (s.has("cache")) {
            printCache(s.getAsJsonObject("cache"));
        } else {
            out.println(str(s, "cacheError"));
        }
        out.println("  origins:");
        printOrigins(s.getAsJsonArray("origins"));
        printTasks(s);
        for (JsonElement hook : s.getAsJsonArray("webhooks")) {
            JsonObject h = hook.getAsJsonObject();
            out.println("  webhook " + str(h, "name") + " -> " + str(h, "url") + ": " + str(h, "delivered") + " delivered, " + str(h, "queued")
                    + " queued, " + str(h, "retries") + " retries, " + str(h, "failed") + " failed, " + str(h, "dropped") + " dropped");
        }
        out.println("  status page: " + base.resolve("status") + " (sign in with the token in " + cacheDir.resolve("control.token") + ")");
    }

    /** Background tasks, components and bundles that failed at some point: what needs a look, not every healthy task. */
    private void printTasks(JsonObject s) {
        if (!s.has("tasks")) {
            return;
        }
        List<JsonObject> troubled = new ArrayList<>();
        int healthy = 0;
        for (JsonElement task : s.getAsJsonArray("tasks")) {
            JsonObject t = task.getAsJsonObject();
            if (str(t, "state").equals("RUNNING") && t.get("restarts").getAsInt() == 0) {
                healthy++;
            } else {
                troubled.add(t);
            }
        }
        out.println("  tasks:   " + healthy + " running without failures" + (troubled.isEmpty() ? "" : ", " + troubled.size() + " with failures:"));
        for (JsonObject t : troubled) {
            out.println("    " + str(t, "kind").toLowerCase(Locale.ROOT) + " '" + str(t, "name") + "': " + str(t, "state").toLowerCase(Locale.ROOT)
                    + ", " + str(t, "restarts") + " restarts" + (t.get("lastError").isJsonNull() ? "" : ", last error: " + str(t, "lastError")));
        }
    }

    private void printOrigins(JsonElement answer) {
        for (JsonElement origin : answer.getAsJsonArray()) {
            JsonObject o = origin.getAsJsonObject();
            out.println("    " + str(o, "id") + "  " + str(o, "type") + "  health: " + health(o) + "  sync: " + sync(o));
        }
    }

    private void printOrigin(JsonElement answer) {
        JsonObject o = answer.getAsJsonObject();
        out.println("origin " + str(o, "id") + " (" + str(o, "type") + ", priority " + str(o, "priority") + ", service " + str(o, "service") + ")");
        out.println("  health: " + health(o));
        out.println("  sync:   " + sync(o));
    }

    private static String health(JsonObject o) {
        if (o.get("health").isJsonNull()) {
            return str(o, "healthError");
        }
        JsonObject h = o.getAsJsonObject("health");
        return str(h, "state").toLowerCase(Locale.ROOT) + (h.get("reason").isJsonNull() ? "" : " (" + str(h, "reason") + ")")
                + (h.get("latencyMillis").isJsonNull() ? "" : String.format(Locale.ROOT, ", %.1f ms", h.get("latencyMillis").getAsDouble()));
    }

    private static String sync(JsonObject o) {
        if (o.get("sync").isJsonNull()) {
            return "not known";
        }
        JsonObject s = o.getAsJsonObject("sync");
        if (!s.get("lastError").isJsonNull()) {
            return "failed: " + str(s, "lastError");
        }
        return s.get("running").getAsBoolean() ? "running, " + str(s, "filesSeen") + " files seen"
                : str(s, "completedSyncs") + " syncs done, " + str(s, "filesSeen") + " files";
    }

    private void printCache(JsonObject c) {
        out.println(str(c, "state").toLowerCase(Locale.ROOT) + ", " + ProgressView.formatBytes(c.get("bytes").getAsLong()) + " of "
                + ProgressView.formatBytes(c.get("limitBytes").getAsLong()) + " in " + str(c, "chunks") + " chunks, "
                + str(c, "hits") + " hits, " + str(c, "misses") + " misses ("
                + String.format(Locale.ROOT, "%.1f%%", 100 * c.get("hitRatio").getAsDouble()) + " hit ratio), " + str(c, "evictions")
                + " evictions, " + str(c, "badChunks") + " bad chunks" + (c.get("reason").isJsonNull() ? "" : "; " + str(c, "reason")));
    }

    private void events() throws Failure, InterruptedException {
        StringBuilder query = new StringBuilder();
        if (request.type() != null) {
            query.append("type=").append(encode(request.type()));
        }
        if (request.origin() != null) {
            query.append(query.length() == 0 ? "" : "&").append("origin=").append(encode(request.origin()));
        }
        HttpResponse<Stream<String>> response = open("GET", "events" + (query.length() == 0 ? "" : "?" + query), null, false);
        if (!request.json()) {
            out.println("following events of the daemon for cache " + shownCache + " (Ctrl-C to stop)");
            out.flush();
        }
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.startsWith("data: ")) {
                    continue;
                }
                JsonObject event = JsonParser.parseString(line.substring(6)).getAsJsonObject();
                if (request.json()) {
                    out.println(COMPACT.toJson(event));
                } else {
                    out.println(str(event, "time") + "  " + str(event, "type") + (event.get("origin").isJsonNull() ? "" : "  [" + str(event, "origin") + "]")
                            + "  " + COMPACT.toJson(event.get("properties")));
                }
                out.flush();
            }
        }
        throw new Failure(FAILED, "the daemon closed the event stream (it is stopping)");
    }

    /** Runs a streamed operation, showing its progress lines, then its result line. */
    private void stream(String path, String body, ProgressView progress, Function<JsonObject, String> result) throws Failure, InterruptedException {
        HttpResponse<Stream<String>> response = open("POST", path, body, false);
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String text = it.next();
                if (text.isBlank()) {
                    continue;
                }
                JsonObject line = JsonParser.parseString(text).getAsJsonObject();
                String type = str(line, "type");
                if (request.json()) {
                    out.println(COMPACT.toJson(line));
                    out.flush();
                }
                switch (type) {
                    case "progress" -> {
                        if (!request.json()) {
                            progress.update(line.get("done").getAsLong(), line.get("total").getAsLong());
                        }
                    }
                    case "result" -> {
                        if (!request.json()) {
                            progress.finish();
                            out.println(result.apply(line));
                        }
                        return;
                    }
                    case "error" -> {
                        progress.finish();
                        throw new Failure(FAILED, str(line, "error"));
                    }
                    default -> {
                        // "started" and lines newer daemons may add
                    }
                }
            }
        } catch (JsonParseException | IllegalStateException e) {
            throw new Failure(FAILED, "the daemon sent something that is not JSON: " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw new Failure(FAILED, "the connection to the daemon broke: " + e.getCause().getMessage());
        } finally {
            progress.finish();
        }
        throw new Failure(FAILED, "the daemon ended the operation without a result (it may be stopping)");
    }

    // HTTP

    private JsonElement get(String path) throws Failure, InterruptedException {
        return send("GET", path, null);
    }

    private JsonElement send(String method, String path, String body) throws Failure, InterruptedException {
        HttpResponse<Stream<String>> response = open(method, path, body, true);
        try (Stream<String> lines = response.body()) {
            return JsonParser.parseString(String.join("\n", (Iterable<String>) lines::iterator));
        } catch (JsonParseException e) {
            throw new Failure(FAILED, "the daemon sent something that is not JSON: " + e.getMessage());
        }
    }

    private HttpResponse<Stream<String>> open(String method, String path, String body, boolean bounded) throws Failure, InterruptedException {
        URI uri = base.resolve("api/" + path);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        if (bounded) {
            builder.timeout(CALL_TIMEOUT);
        }
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new Failure(NO_DAEMON, "no daemon answers at " + base + " (cache " + shownCache + "): it is not running, or still starting");
        } catch (IOException e) {
            throw new Failure(FAILED, "the call to the daemon at " + base + " failed: " + e);
        }
        if (response.statusCode() / 100 != 2) {
            String message;
            try (Stream<String> lines = response.body()) {
                String text = String.join("\n", (Iterable<String>) lines::iterator);
                JsonElement error = JsonParser.parseString(text);
                message = error.isJsonObject() && error.getAsJsonObject().has("error") ? error.getAsJsonObject().get("error").getAsString() : text;
            } catch (JsonParseException | IllegalStateException e) {
                message = "HTTP " + response.statusCode();
            }
            if (response.statusCode() == 401) {
                throw new Failure(FAILED, "the daemon refused the token in " + cacheDir.resolve("control.token") + " (HTTP 401): " + message);
            }
            throw new Failure(FAILED, message);
        }
        return response;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "-" : e.getAsString();
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        if (seconds < 86400) {
            return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        }
        return seconds / 86400 + " d " + seconds % 86400 / 3600 + " h";
    }
}
