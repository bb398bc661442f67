package io.musicfs.control.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.cache.PrefetchReport;
import io.musicfs.api.cache.VerifyReport;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.Node;
import io.musicfs.api.library.SyncState;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.supervision.Lifecycle;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API under {@code /api}: JSON in and out, the token checked on every call. Long
 * operations (rescan, verify, prefetch) answer with a stream of JSON lines
 * ({@code application/x-ndjson}): {@code progress} lines, then one {@code result} or {@code error}
 * line. Events are a server-sent event stream.
 *
 * <p>Threading: one servlet thread per request. Verify and prefetch run on the owner's executor
 * while the request thread reports their progress; a client that goes away cancels them.
 */
final class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    /** how often a stream reports progress */
    static final long PROGRESS_MILLIS = 250;
    /** a comment line on an idle event stream, so a dead client is noticed and proxies keep it open */
    static final long KEEPALIVE_MILLIS = 15_000;
    /** event streams open at once; each holds a server thread */
    static final int MAX_EVENT_STREAMS = 16;

    private final transient Services services;
    private final transient EventHub events;
    private final transient Access access;
    private final transient ExecutorService work;
    private final transient StatusReport report;
    private volatile boolean closed;

    ApiServlet(Services services, EventHub events, Access access, ExecutorService work, StatusReport report) {
        this.services = services;
        this.events = events;
        this.access = access;
        this.work = work;
        this.report = report;
    }

    /** Ends open event streams at once: called when the control bundle stops. */
    void close() {
        closed = true;
        events.close();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!access.allows(request)) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"musicfs\"");
            error(response, 401, "missing or wrong token: send 'Authorization: Bearer TOKEN' with the token from the daemon's control.token file");
            return;
        }
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        String method = request.getMethod();
        List<String> parts = new ArrayList<>(List.of(path.replaceAll("^/+|/+$", "").split("/+")));
        try {
            route(method, parts, request, response);
        } catch (ApiException e) {
            error(response, e.status, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(response, 503, "interrupted: the daemon is stopping");
        } catch (RuntimeException e) {
            LOG.error("control API: {} {} failed", method, path, e);
            error(response, 500, method + " " + path + " failed: " + e);
        }
    }

    private void route(String method, List<String> parts, HttpServletRequest request, HttpServletResponse response)
            throws IOException, InterruptedException, ApiException {
        String first = parts.get(0);
        switch (first) {
            case "status" -> {
                expect(method, "GET", parts, 1);
                json(response, 200, report.status(events));
            }
            case "origins" -> origins(method, parts, response);
            case "cache" -> cache(method, parts, request, response);
            case "prefetch" -> {
                expect(method, "POST", parts, 1);
                prefetch(request, response);
            }
            case "events" -> {
                ControlEvent.Filter filter = new ControlEvent.Filter(blankToNull(request.getParameter("type")),
                        blankToNull(request.getParameter("origin")));
                if (parts.size() == 2 && parts.get(1).equals("recent")) {
                    expect(method, "GET", parts, 2);
                    json(response, 200, events.recent(filter).stream().map(ControlEvent::toMap).toList());
                } else {
                    expect(method, "GET", parts, 1);
                    eventStream(filter, response);
                }
            }
            case "shutdown" -> {
                expect(method, "POST", parts, 1);
                shutdown(request, response);
            }
            default -> throw new ApiException(404, "no such API call: " + method + " /api/" + String.join("/", parts)
                    + " (calls: status, origins, origins/ID, origins/ID/rescan, cache, cache/clear, cache/verify, prefetch, events,"
                    + " events/recent, shutdown; search does not exist yet)");
        }
    }

    private void origins(String method, List<String> parts, HttpServletResponse response) throws IOException, InterruptedException, ApiException {
        if (parts.size() == 1) {
            expect(method, "GET", parts, 1);
            json(response, 200, report.origins());
            return;
        }
        String id = parts.get(1);
        Map<String, Object> origin = report.origin(id);
        if (origin == null) {
            throw unknownOrigin(id);
        }
        if (parts.size() == 2) {
            expect(method, "GET", parts, 2);
            json(response, 200, origin);
            return;
        }
        if (parts.size() == 3 && parts.get(2).equals("rescan")) {
            expect(method, "POST", parts, 3);
            rescan(id, response);
            return;
        }
        throw new ApiException(404, "no such API call: " + method + " /api/" + String.join("/", parts));
    }

    private ApiException unknownOrigin(String id) {
        List<String> known = report.origins().stream().map(o -> (String) o.get("id")).toList();
        return new ApiException(404, "unknown origin '" + id + "' (known: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }

    /** Starts a sync and streams its progress until it finishes or fails. */
    private void rescan(String id, HttpServletResponse response) throws IOException, InterruptedException, ApiException {
        Library library = required(services.library(), StatusReport.NO_LIBRARY);
        SyncState before = library.syncState(id);
        try (EventHub.Subscription finished = events.subscribe(new ControlEvent.Filter(Library.TOPIC_SYNC_FINISHED.substring(
                ControlEvent.TOPIC_PREFIX.length()), id))) {
            if (!library.rescan(id)) {
                throw new ApiException(409, "origin '" + id + "' cannot be rescanned now: its service is not running");
            }
            Stream stream = new Stream(response);
            stream.line(Map.of("type", "started", "origin", id));
            boolean sawRunning = false;
            long lastSeen = -1;
            while (true) {
                ControlEvent event = finished.next(PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
                if (event == EventHub.END) {
                    stream.line(Map.of("type", "error", "error", "the daemon is stopping"));
                    return;
                }
                SyncState now = library.syncState(id);
                if (event != null) {
                    Map<String, Object> result = new LinkedHashMap<>(event.properties());
                    result.put("type", "result");
                    result.put("filesSeen", now == null ? null : now.filesSeen());
                    stream.line(result);
                    return;
                }
                if (now == null) {
                    continue;
                }
                sawRunning |= now.running();
                if (!now.running() && now.lastError() != null && (sawRunning || now != before)) {
                    stream.line(Map.of("type", "error", "error", "sync of origin '" + id + "' failed: " + now.lastError()));
                    return;
                }
                if (now.running() && now.filesSeen() != lastSeen) {
                    lastSeen = now.filesSeen();
                    stream.progress(lastSeen, -1);
                }
            }
        }
    }

    private void cache(String method, List<String> parts, HttpServletRequest request, HttpServletResponse response)
            throws IOException, InterruptedException, ApiException {
        if (parts.size() > 2) {
            throw new ApiException(404, "no such API call: " + method + " /api/" + String.join("/", parts));
        }
        String action = parts.size() == 1 ? "stats" : parts.get(1);
        switch (action) {
            case "stats" -> {
                expect(method, "GET", parts, parts.size());
                json(response, 200, StatusReport.cache(required(services.cache(), StatusReport.NO_CACHE).status()));
            }
            case "clear" -> {
                expect(method, "POST", parts, 2);
                String origin = blankToNull(request.getParameter("origin"));
                if (origin != null && report.origin(origin) == null) {
                    throw unknownOrigin(origin);
                }
                CacheAdmin cache = required(services.cache(), StatusReport.NO_CACHE);
                long freed = cache.clear(origin);
                LOG.info("control API: cache cleared{}: {} bytes freed", origin == null ? "" : " for origin " + origin, freed);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("origin", origin);
                result.put("freedBytes", freed);
                json(response, 200, result);
            }
            case "verify" -> {
                expect(method, "POST", parts, 2);
                CacheAdmin cache = required(services.cache(), StatusReport.NO_CACHE);
                boolean all = !"false".equals(request.getParameter("all"));
                runStreamed(response, progress -> {
                    VerifyReport verify = cache.verify(all, progress::set);
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("checked", verify.checked());
                    result.put("corrupt", verify.corrupt());
                    result.put("missing", verify.missing());
                    result.put("unindexed", verify.unindexed());
                    result.put("accountingFixed", verify.accountingFixed());
                    result.put("seconds", verify.took().toMillis() / 1000.0);
                    return result;
                });
            }
            default -> throw new ApiException(404, "no such API call: " + method + " /api/cache/" + action
                    + " (cache calls: GET cache, POST cache/clear[?origin=ID], POST cache/verify)");
        }
    }

    private void prefetch(HttpServletRequest request, HttpServletResponse response) throws IOException, InterruptedException, ApiException {
        List<String> paths = new ArrayList<>();
        try {
            JsonElement body = JsonParser.parseReader(request.getReader());
            JsonArray array = body.isJsonObject() && body.getAsJsonObject().has("paths") ? body.getAsJsonObject().getAsJsonArray("paths") : null;
            if (array == null) {
                throw new ApiException(400, "the body must be {\"paths\": [\"/Artist/Album\", ...]}");
            }
            array.forEach(p -> paths.add(p.getAsString()));
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new ApiException(400, "the body must be {\"paths\": [\"/Artist/Album\", ...]}: " + e.getMessage());
        }
        if (paths.isEmpty()) {
            throw new ApiException(400, "no paths given to prefetch");
        }
        Library library = required(services.library(), StatusReport.NO_LIBRARY);
        Mount mount = services.mount();
        TreeSnapshot tree = library.tree();
        List<TrackFile> files = new ArrayList<>();
        for (String path : paths) {
            String treePath = treePath(path, mount == null ? null : mount.mountPoint());
            Node node = tree.lookup(treePath);
            if (node == null) {
                throw new ApiException(404, "no such path in the library: " + path);
            }
            collect(tree, node, files);
        }
        CacheAdmin cache = required(services.cache(), StatusReport.NO_CACHE);
        runStreamed(response, progress -> {
            PrefetchReport prefetch = cache.prefetch(files, progress::set);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("files", prefetch.files());
            result.put("fetchedBytes", prefetch.fetchedBytes());
            result.put("failed", prefetch.failed());
            return result;
        });
    }

    /** A path of the mounted tree: {@code /Artist/Album}, {@code Artist/Album}, or the same under the mount point. */
    static String treePath(String path, Path mountPoint) {
        String p = path.strip();
        if (mountPoint != null) {
            String mp = mountPoint.toString();
            if (p.equals(mp)) {
                return "/";
            }
            if (p.startsWith(mp + "/")) {
                p = p.substring(mp.length());
            }
        }
        p = p.replaceAll("/+", "/");
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static void collect(TreeSnapshot tree, Node node, List<TrackFile> files) {
        if (!node.isDirectory()) {
            files.add(node.track());
            return;
        }
        for (Node child : tree.children(node)) {
            collect(tree, child, files);
        }
    }

    private void shutdown(HttpServletRequest request, HttpServletResponse response) throws IOException, ApiException {
        Lifecycle lifecycle = required(services.lifecycle(), "lifecycle service not available: stop the daemon with SIGTERM");
        Duration drain = null;
        String timeout = blankToNull(request.getParameter("timeout"));
        if (timeout != null) {
            try {
                drain = Duration.ofMillis(Math.round(Double.parseDouble(timeout) * 1000));
            } catch (NumberFormatException e) {
                drain = Duration.ofSeconds(-1);
            }
            if (drain.isNegative()) {
                throw new ApiException(400, "timeout: '" + timeout + "' is not a number of seconds (0 or more)");
            }
        }
        LOG.info("control API: shutdown requested (drain timeout {})", drain == null ? "default" : drain.toMillis() + " ms");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("shuttingDown", true);
        result.put("drainTimeoutSeconds", drain == null ? null : drain.toMillis() / 1000.0);
        json(response, 202, result);
        lifecycle.shutdown(drain, "shutdown requested over the control API");
    }

    private void eventStream(ControlEvent.Filter filter, HttpServletResponse response) throws IOException, InterruptedException, ApiException {
        if (events.subscribers() >= MAX_EVENT_STREAMS) {
            throw new ApiException(503, "too many event streams open (" + MAX_EVENT_STREAMS + "); close one first");
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter out = response.getWriter();
        try (EventHub.Subscription subscription = events.subscribe(filter)) {
            out.write(": musicfs events\n\n");
            out.flush();
            while (!closed && !out.checkError()) {
                ControlEvent event = subscription.next(KEEPALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (event == EventHub.END) {
                    return;
                }
                if (event == null) {
                    out.write(": keepalive\n\n");
                } else {
                    // no "event:" name: every event reaches EventSource.onmessage; its type is in the data
                    out.write("id: " + event.id() + "\ndata: " + Json.write(event.toMap()) + "\n\n");
                }
                out.flush();
            }
        }
    }

    /** What a streamed task reports: done and total units. */
    static final class ProgressCell {
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong total = new AtomicLong(-1);

        void set(long doneNow, long totalNow) {
            done.set(doneNow);
            total.set(totalNow);
        }
    }

    @FunctionalInterface
    interface StreamedTask {
        Map<String, Object> run(ProgressCell progress) throws Exception;
    }

    /** Runs {@code task} on the executor and streams its progress, then its result or error. */
    private void runStreamed(HttpServletResponse response, StreamedTask task) throws IOException, InterruptedException {
        ProgressCell progress = new ProgressCell();
        Future<Map<String, Object>> future = work.submit(() -> task.run(progress));
        Stream stream = new Stream(response);
        try {
            stream.line(Map.of("type", "started"));
            long lastDone = -1;
            while (true) {
                try {
                    Map<String, Object> result = future.get(PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
                    stream.progress(progress.done.get(), progress.total.get());
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("type", "result");
                    line.putAll(result);
                    stream.line(line);
                    return;
                } catch (TimeoutException running) {
                    long done = progress.done.get();
                    if (done != lastDone) {
                        lastDone = done;
                        stream.progress(done, progress.total.get());
                    }
                    if (stream.broken()) {
                        LOG.info("control API: client went away; cancelling its operation");
                        return;
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    stream.line(Map.of("type", "error", "error", String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause)));
                    return;
                }
            }
        } finally {
            future.cancel(true);
        }
    }

    /** A stream of JSON lines. */
    private static final class Stream {
        private final PrintWriter out;

        Stream(HttpServletResponse response) throws IOException {
            response.setStatus(200);
            response.setContentType("application/x-ndjson");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            out = response.getWriter();
        }

        void line(Map<String, Object> line) {
            out.write(Json.write(line));
            out.write("\n");
            out.flush();
        }

        void progress(long done, long total) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "progress");
            line.put("done", done);
            line.put("total", total);
            line(line);
        }

        boolean broken() {
            return out.checkError();
        }
    }

    private static <T> T required(T service, String missing) throws ApiException {
        if (service == null) {
            throw new ApiException(503, missing);
        }
        return service;
    }

    private static void expect(String method, String wanted, List<String> parts, int size) throws ApiException {
        if (parts.size() != size) {
            throw new ApiException(404, "no such API call: " + method + " /api/" + String.join("/", parts));
        }
        if (!method.equals(wanted)) {
            throw new ApiException(405, "/api/" + String.join("/", parts) + " takes " + wanted + ", not " + method);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    static void json(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(Json.write(body));
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        JsonObject body = new JsonObject();
        body.addProperty("error", message);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(Json.write(body));
    }

    /** A call that cannot be answered: its HTTP status and the message for the operator. */
    static final class ApiException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
