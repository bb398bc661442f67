package io.musicfs.origin.s3.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving HTTP server on 127.0.0.1 for what S3Proxy will not do on demand: throttle, fail
 * with 5xx, reset connections, hang, answer slowly. Each connection takes the next scripted action,
 * or the fallback once the script is used up, and is closed after one response. Counts requests
 * and the most requests it held at once (between reading a request and answering it).
 */
final class ScriptedHttpServer implements AutoCloseable {

    enum Kind { RESPOND, RESET, HANG, STALL }

    record Action(Kind kind, int status, String body, long delayMillis) {

        static Action respond(int status, String body) {
            return new Action(Kind.RESPOND, status, body, 0);
        }

        static Action slowly(long delayMillis, int status, String body) {
            return new Action(Kind.RESPOND, status, body, delayMillis);
        }

        static Action reset() {
            return new Action(Kind.RESET, 0, "", 0);
        }

        static Action hang() {
            return new Action(Kind.HANG, 0, "", 0);
        }

        /** A 206 that promises {@code length} bytes, sends {@code body} and then nothing more. */
        static Action stall(String body, long length) {
            return new Action(Kind.STALL, 206, body, length);
        }

        static Action error(int status, String code) {
            return respond(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>scripted "
                    + code + "</Message><RequestId>test</RequestId></Error>");
        }

        static Action emptyListing() {
            return respond(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Name>bucket</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>"
                    + "</ListBucketResult>");
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final ConcurrentLinkedQueue<Action> script = new ConcurrentLinkedQueue<>();
    private volatile Action fallback = Action.emptyListing();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();
    /** The head (request line and headers) of every request, in arrival order. */
    final List<String> heads = new CopyOnWriteArrayList<>();
    private final AtomicInteger handling = new AtomicInteger();
    final AtomicInteger maxHandling = new AtomicInteger();

    ScriptedHttpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-http-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    ScriptedHttpServer script(Action... actions) {
        script.addAll(java.util.List.of(actions));
        return this;
    }

    ScriptedHttpServer fallback(Action action) {
        fallback = action;
        return this;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread handler = new Thread(() -> handle(socket), "scripted-http-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try {
            if (!readRequestHead(socket.getInputStream())) {
                return;
            }
            requests.incrementAndGet();
            Action action = script.poll();
            if (action == null) {
                action = fallback;
            }
            switch (action.kind()) {
                case RESET:
                    socket.setSoLinger(true, 0);
                    socket.close();
                    return;
                case HANG:
                    return; // keep the socket open until the server closes
                case STALL:
                    byte[] start = action.body().getBytes(StandardCharsets.UTF_8);
                    OutputStream stalled = socket.getOutputStream();
                    stalled.write(("HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                            + action.delayMillis() + "\r\nContent-Range: bytes 0-" + (action.delayMillis() - 1) + "/"
                            + action.delayMillis() + "\r\nETag: \"x\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    stalled.write(start);
                    stalled.flush();
                    return; // and keep the socket open: the body never ends
                default:
                    int now = handling.incrementAndGet();
                    maxHandling.accumulateAndGet(now, Math::max);
                    try {
                        if (action.delayMillis() > 0) {
                            TimeUnit.MILLISECONDS.sleep(action.delayMillis());
                        }
                    } finally {
                        handling.decrementAndGet();
                    }
                    byte[] body = action.body().getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 " + action.status() + " Scripted\r\nContent-Type: application/xml\r\nContent-Length: "
                            + body.length + "\r\nx-amz-request-id: test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    socket.close();
            }
        } catch (IOException | InterruptedException e) {
            closeQuietly(socket);
        } finally {
            if (socket.isClosed()) {
                sockets.remove(socket);
            }
        }
    }

    /** Reads up to the blank line that ends the request head (GET and HEAD have no body). */
    private boolean readRequestHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        heads.add(head.toString(StandardCharsets.ISO_8859_1));
        return true;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
