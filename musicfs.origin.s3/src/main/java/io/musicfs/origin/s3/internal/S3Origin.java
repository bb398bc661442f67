package io.musicfs.origin.s3.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import io.musicfs.api.origin.Origin;
import io.musicfs.api.origin.OriginEntry;
import io.musicfs.api.origin.OriginVisitor;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An origin in an S3 bucket, under an optional key prefix, on AWS or an S3-compatible server. One
 * instance per factory configuration of {@code musicfs.origin.s3}; owns one {@link S3Connection}
 * (SDK client, credentials, request permits), created at activation and closed at deactivation.
 * Activation does no network I/O: an unreachable server makes the origin unhealthy, not absent.
 *
 * <p>Every method is safe from any thread: apart from the connection, the component holds only its
 * configuration. Each call is bounded by the request timeout (per attempt and overall, retries
 * included), and at most {@code maxConnections} requests run at once.
 *
 * <p>Identity of a file: size, last-modified time truncated to whole seconds (HEAD answers in
 * seconds, LIST in milliseconds; truncating both keeps stat and walk in agreement) and the ETag
 * without its quotes. Changes are not pushed: {@link #watch} stays empty and the catalog polls.
 */
@Component(configurationPid = S3Origin.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = Origin.class,
        property = Origin.PROP_TYPE + "=" + S3Origin.TYPE)
@Designate(ocd = S3Origin.Config.class, factory = true)
public class S3Origin implements Origin {

    static final String PID = "musicfs.origin.s3";
    static final String TYPE = "s3";
    private static final Logger LOG = LoggerFactory.getLogger(S3Origin.class);
    /** the most keys S3 returns per ListObjectsV2 page */
    static final int MAX_PAGE_SIZE = 1000;
    /** how much of a direct buffer's read goes through one heap copy */
    private static final int COPY_CHUNK = 64 * 1024;
    /** how much of an error answer is read for its code and message */
    private static final int MAX_ERROR_BODY = 16 * 1024;

    @ObjectClassDefinition(name = "MusicFS S3 origin", description = "Music in an S3 bucket or on an S3-compatible server")
    public @interface Config {
        @AttributeDefinition(name = "Id", description = "Unique name of the origin: letters, digits, '.', '_' and '-'")
        String origin_id();

        @AttributeDefinition(name = "Priority", description = "Lower numbers are preferred when several origins hold a file")
        int origin_priority() default 10;

        @AttributeDefinition(name = "Bucket", description = "The bucket holding the music")
        String bucket();

        @AttributeDefinition(name = "Prefix", description = "Key prefix of the music in the bucket (a folder), empty for the whole bucket", required = false)
        String prefix() default "";

        @AttributeDefinition(name = "Endpoint", description = "http:// or https:// URI of an S3-compatible server; empty for AWS", required = false)
        String endpoint() default "";

        @AttributeDefinition(name = "Region", description = "The bucket's region (signing region for S3-compatible servers)")
        String region() default "us-east-1";

        @AttributeDefinition(name = "Path-style requests", description = "Put the bucket in the path rather than the host name;"
                + " auto means yes with an endpoint, no on AWS",
                options = {@Option(label = "auto", value = "auto"), @Option(label = "yes", value = "true"), @Option(label = "no", value = "false")})
        String pathStyle() default "auto";

        @AttributeDefinition(name = "Credentials file", description = "An AWS shared-credentials file; empty for the default AWS"
                + " credentials chain (environment, system properties, ~/.aws/credentials, container and instance roles)", required = false)
        String credentialsFile() default "";

        @AttributeDefinition(name = "Profile", description = "Profile in the credentials file (or of the default chain); empty for 'default'", required = false)
        String profile() default "";

        @AttributeDefinition(name = "Request timeout (s)", description = "Deadline of each request, per attempt and overall with retries")
        int requestTimeoutSeconds() default 30;

        @AttributeDefinition(name = "Max connections", description = "Requests in flight at once (a read holds one while it streams)")
        int maxConnections() default 8;
    }

    private S3Settings settings;
    private S3Failures failures;
    private S3Connection connection;
    /**
     * The server refused a presigned GET that the SDK client's own request was then granted (see
     * {@link #readRefusedPresigned}): reads take the client's path. Once set, it stays set until the
     * origin is configured again.
     */
    private volatile boolean presignedRefused;
    /** ListObjectsV2 page size; only tests lower it */
    int listPageSize = MAX_PAGE_SIZE;

    @Activate
    void activate(Config config) {
        settings = S3Settings.from(config);
        failures = new S3Failures(settings);
        connection = new S3Connection(settings);
        LOG.info("origin {}: S3 bucket {}{} at {} (region {}, {}, priority {}, credentials from {})", settings.id(),
                settings.bucket(), settings.prefix().isEmpty() ? "" : " prefix " + settings.prefix(),
                settings.endpointDescription(), settings.region(), settings.pathStyle() ? "path-style" : "virtual-hosted",
                settings.priority(), settings.credentialsDescription());
    }

    @Deactivate
    void deactivate() {
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int priority() {
        return settings.priority();
    }

    @Override
    public boolean remote() {
        return true;
    }

    /**
     * Lists page after page. Keys come URL-encoded (the SDK decodes them), so a key with characters
     * XML cannot carry does not break the listing; the next page starts after the last key seen
     * rather than at the continuation token, because some servers (S3Proxy) URL-encode the token
     * too and then misread it. Only a page without keys falls back to the token.
     */
    @Override
    public void walk(OriginVisitor visitor) throws IOException {
        String prefix = settings.prefix();
        String after = null;
        String token = null;
        int pages = 0;
        long files = 0;
        long started = System.nanoTime();
        while (true) {
            ListObjectsV2Response page = list(after, token, listPageSize);
            pages++;
            String lastKey = null;
            for (S3Object object : page.contents()) {
                String key = object.key();
                if (key == null) {
                    continue;
                }
                lastKey = key;
                if (!key.startsWith(prefix) || key.endsWith("/")) {
                    continue; // a "directory marker", or a key outside the prefix from a lax server
                }
                String path = key.substring(prefix.length());
                if (!representable(path)) {
                    visitor.problem(path, new IOException("origin " + settings.id() + ": skipped key " + key
                            + ": it has an empty, '.' or '..' path segment, which no file path can show"));
                    continue;
                }
                visitor.file(entry(path, object.size(), object.lastModified(), object.eTag()));
                files++;
            }
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                break;
            }
            if (lastKey != null) {
                after = lastKey;
                token = null;
            } else if (page.nextContinuationToken() != null && !page.nextContinuationToken().isEmpty()
                    && !page.nextContinuationToken().equals(token)) {
                token = page.nextContinuationToken();
            } else {
                throw new IOException("origin " + settings.id() + ": listing of bucket " + settings.bucket() + " at "
                        + settings.endpointDescription() + " stopped after page " + pages
                        + ": the server said there is more but gave no way to continue");
            }
        }
        LOG.debug("origin {}: listed {} files in {} pages in {} ms", settings.id(), files, pages,
                (System.nanoTime() - started) / 1_000_000);
    }

    private ListObjectsV2Response list(String startAfter, String token, int maxKeys) throws IOException {
        try (S3Connection.Request request = connection.request("list", null)) {
            return connection.client().listObjectsV2(b -> b.bucket(settings.bucket()).prefix(settings.prefix())
                    .maxKeys(maxKeys).startAfter(startAfter).continuationToken(token).encodingType(EncodingType.URL)
                    .overrideConfiguration(request.timeLeft()));
        } catch (SdkException e) {
            throw translate("list", null, e);
        } catch (RuntimeException e) {
            throw unexpected("list", null, e);
        }
    }

    @Override
    public OriginEntry stat(String path) throws IOException {
        String key = key(path);
        HeadObjectResponse head;
        try (S3Connection.Request request = connection.request("stat", path)) {
            head = connection.client().headObject(b -> b.bucket(settings.bucket()).key(key).overrideConfiguration(request.timeLeft()));
        } catch (SdkServiceException e) {
            throw e.statusCode() == 404 ? notFound(path, e, false) : translate("stat", path, e);
        } catch (SdkException e) {
            throw translate("stat", path, e);
        } catch (RuntimeException e) {
            throw unexpected("stat", path, e);
        }
        return entry(path, head.contentLength(), head.lastModified(), head.eTag());
    }

    /**
     * A 404 means a missing key only in a bucket that exists: {@link NoSuchFileException} makes the
     * catalog drop the file, so a 404 without the server's own error code is checked with a probe
     * first. HEAD answers never carry one (the code the SDK puts on them is its guess).
     *
     * @param hasBody whether the answer had a body, so its error code came from the server
     */
    private IOException notFound(String path, SdkServiceException e, boolean hasBody) throws IOException {
        String code = hasBody ? S3Failures.errorCode(e) : "";
        if (code.equals("NoSuchBucket")) {
            return translate("read", path, e);
        }
        if (!code.equals("NoSuchKey")) {
            probe();
        }
        return failures.noSuchFile(path, e);
    }

    /**
     * One ranged GET, sent as a plain {@code HttpURLConnection} request on a presigned URL
     * ({@link PresignedGets}) instead of through the SDK client, whose per-call pipeline costs
     * several times the server's time per read in a young JVM. What the client did is done here:
     * the request timeout bounds the whole read (attempts, backoff and body), retries follow
     * {@link S3Failures#retryable} with the client's backoff strategies and attempt count, error
     * answers become the same {@link S3Exception}s, so {@link S3Failures} words them alike. A
     * cached URL that meets access denied is re-signed once (the credentials may have rotated); a
     * freshly and directly signed one that is refused is followed by the presigner's URL for the
     * same read, not counted as a retry ({@link PresignedGets}); a freshly presigned one that is
     * refused is read through the client ({@link #readRefusedPresigned}).
     */
    @Override
    public int read(String path, long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset < 0: " + offset);
        }
        String key = key(path);
        int wanted = dst.remaining();
        if (wanted == 0) {
            return 0;
        }
        long last = offset + wanted - 1 < offset ? Long.MAX_VALUE : offset + wanted - 1;
        String range = "bytes=" + offset + "-" + last;
        try (S3Connection.Request request = connection.request("read", path)) {
            if (presignedRefused) {
                return readThroughClient(path, key, offset, range, dst, request);
            }
            boolean resigned = false;
            boolean directRefused = false;
            for (int attempt = 1; ; attempt++) {
                if (request.expired()) {
                    throw translate("read", path, ApiCallTimeoutException.create(settings.requestTimeout().toMillis()));
                }
                PresignedGets.Signed signed;
                try {
                    signed = directRefused ? connection.presignedGets().fromPresigner(key) : connection.presignedGets().get(key);
                } catch (SdkException e) {
                    throw translate("read", path, e);
                } catch (RuntimeException e) {
                    throw unexpected("read", path, e);
                }
                HttpURLConnection http = null;
                int status;
                try {
                    http = open(signed, range, request);
                    status = http.getResponseCode();
                } catch (IOException e) {
                    if (http != null) {
                        http.disconnect();
                    }
                    SdkClientException failure = SdkClientException.builder().message("read failed: " + scrubbed(e))
                            .cause(scrub(e)).numAttempts(attempt).build();
                    if (attempt < S3Connection.MAX_ATTEMPTS && S3Failures.retryable(failure) && backoff(attempt, false, request)) {
                        continue;
                    }
                    throw translate("read", path, failure);
                }
                if (status == 200 || status == 206) {
                    if (directRefused) {
                        connection.presignedGets().directRefused();
                    }
                    return copy(path, offset, body(http), dst, request);
                }
                S3Exception failure = errorAnswer(http, status, attempt);
                if (status == 416) {
                    return -1; // the range starts at or past the end (and every range of an empty object)
                }
                if (status == 404) {
                    request.close(); // the probe needs a permit of its own
                    throw notFound(path, failure, true);
                }
                if (S3Failures.accessDenied(failure) && !signed.fresh() && !resigned) {
                    connection.presignedGets().forget(key, signed);
                    resigned = true;
                    attempt--; // not a retry: the same request with the current credentials
                    continue;
                }
                if ((status == 400 || status == 403) && signed.direct()) {
                    // Signed directly and refused: the same read presigned by the SDK tells whether direct signing is at fault.
                    directRefused = true;
                    attempt--; // not a retry
                    continue;
                }
                if (status == 400 || status == 403 || status == 501) {
                    // Refused though freshly signed: wrong credentials, or a server that does not take
                    // query-string signatures, or a clock off by more than the server allows (the
                    // client corrects its clock, a presigned URL cannot). The client's own request decides.
                    return readRefusedPresigned(path, key, offset, range, dst, request, failure);
                }
                if (attempt < S3Connection.MAX_ATTEMPTS && S3Failures.retryable(failure)
                        && backoff(attempt, S3Failures.throttling(failure), request)) {
                    continue;
                }
                throw translate("read", path, failure);
            }
        }
    }

    /**
     * Reads through the SDK client after the server refused a freshly presigned GET. When the
     * client's request is granted, reads of this origin take the client's path from then on (one
     * warning); when it is refused too, its failure is the answer, as it was before presigned reads.
     */
    private int readRefusedPresigned(String path, String key, long offset, String range, ByteBuffer dst,
            S3Connection.Request request, S3Exception refused) throws IOException {
        int n = readThroughClient(path, key, offset, range, dst, request);
        if (!presignedRefused) {
            presignedRefused = true;
            LOG.warn("origin {}: {} refused a presigned read ({}) but granted the same read through the SDK client; reads go"
                    + " through the client from now on, at a higher cost per read (a clock off by minutes, or a server"
                    + " without query-string signatures, does this)", settings.id(), settings.endpointDescription(),
                    "HTTP " + refused.statusCode() + " " + S3Failures.errorCode(refused));
        }
        return n;
    }

    /** One ranged GET through the SDK client: its whole request pipeline, clock-skew correction included. */
    private int readThroughClient(String path, String key, long offset, String range, ByteBuffer dst,
            S3Connection.Request request) throws IOException {
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = connection.client().getObject(b -> b.bucket(settings.bucket()).key(key).range(range)
                    .overrideConfiguration(request.timeLeft()));
        } catch (SdkServiceException e) {
            if (e.statusCode() == 416) {
                return -1; // the range starts at or past the end (and every range of an empty object)
            }
            if (e.statusCode() == 404) {
                request.close(); // the probe needs a permit of its own
                throw notFound(path, e, true);
            }
            throw translate("read", path, e);
        } catch (SdkException e) {
            throw translate("read", path, e);
        } catch (RuntimeException e) {
            throw unexpected("read", path, e);
        }
        return copy(path, offset, body(in), dst, request);
    }

    /** A GET of the range, not yet sent; its timeouts never reach past the request's deadline. */
    private HttpURLConnection open(PresignedGets.Signed signed, String range, S3Connection.Request request) throws IOException {
        HttpURLConnection http = (HttpURLConnection) signed.url().openConnection();
        long left = request.remaining().toMillis(); // at least 1 ms, at most the request timeout
        http.setConnectTimeout((int) Math.min(left, connection.connectTimeout().toMillis()));
        http.setReadTimeout((int) Math.min(left, Integer.MAX_VALUE));
        http.setInstanceFollowRedirects(false); // a redirect is an answer (wrong region), never followed with the signature
        http.setUseCaches(false);
        http.setRequestProperty("Range", range);
        return http;
    }

    /**
     * Sleeps the backoff of the client's retry strategy before the next attempt.
     *
     * @return false, without sleeping, when the pause would reach past the request's deadline
     */
    private boolean backoff(int attempt, boolean throttled, S3Connection.Request request) throws IOException {
        Duration delay = (throttled ? S3Connection.THROTTLING_BACKOFF : S3Connection.BACKOFF).computeDelay(attempt);
        if (delay.compareTo(request.remaining()) >= 0) {
            return false;
        }
        try {
            Thread.sleep(delay.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("origin " + settings.id() + ": read interrupted while waiting to retry");
        }
    }

    /**
     * Reads an error answer (its first {@link #MAX_ERROR_BODY} bytes) into the exception the SDK
     * would have made of it, keeping the connection when the body was read to its end.
     */
    private S3Exception errorAnswer(HttpURLConnection http, int status, int attempt) {
        String body = "";
        boolean complete = false;
        try (InputStream in = http.getErrorStream()) {
            if (in == null) {
                complete = true;
            } else {
                byte[] bytes = in.readNBytes(MAX_ERROR_BODY);
                complete = in.read() < 0;
                body = new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // the status says enough
        } finally {
            if (!complete) {
                http.disconnect();
            }
        }
        String code = element(body, "Code");
        String message = element(body, "Message");
        String requestId = element(body, "RequestId");
        return (S3Exception) S3Exception.builder().statusCode(status).numAttempts(attempt).requestId(requestId)
                .message(message == null ? "HTTP " + status : message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("S3")
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build())
                .build();
    }

    /** @return the text of the first {@code <name>} element of an S3 error document, or null */
    static String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">");
        int end = start < 0 ? -1 : xml.indexOf("</" + name + ">", start);
        if (end < 0) {
            return null;
        }
        String text = xml.substring(start + name.length() + 2, end).trim();
        return text.isEmpty() ? null : text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&apos;", "'").replace("&amp;", "&");
    }

    /**
     * The JDK's HTTP client quotes the URL in some messages ("... for URL: ..."), and a presigned
     * URL holds the signature and the access key id: such an exception is replaced by one that
     * says only what kind of failure it was.
     */
    static IOException scrub(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("X-Amz-") || message.contains("x-amz-") || message.contains("://"))) {
                IOException withheld = new IOException(e.getClass().getName() + " (message withheld: it quoted the presigned URL)");
                withheld.setStackTrace(e.getStackTrace());
                return withheld;
            }
        }
        return e;
    }

    private static String scrubbed(IOException e) {
        return scrub(e).toString();
    }

    /**
     * Streams the response body into the buffer, never holding more than one 64 KiB chunk beyond it.
     * Stops at the request deadline or on interrupt and drops the connection, as it does when the
     * body is not read to its end, so a half-read body never returns to the keep-alive cache.
     */
    private int copy(String path, long offset, Body body, ByteBuffer dst, S3Connection.Request request) throws IOException {
        boolean complete = false;
        try {
            InputStream in = body.stream();
            String range = body.contentRange();
            if (range == null || range.isBlank()) {
                // A server that ignores ranges sends the whole object from byte 0.
                try {
                    in.skipNBytes(offset);
                } catch (EOFException e) {
                    complete = true;
                    return -1;
                }
            } else if (rangeStart(range) != offset) {
                throw new IOException("origin " + settings.id() + ": read " + path + " at " + offset + ": the server sent"
                        + " Content-Range '" + range + "'");
            }
            byte[] chunk = dst.hasArray() ? null : new byte[Math.min(dst.remaining(), COPY_CHUNK)];
            int total = 0;
            while (dst.hasRemaining()) {
                checkDeadline(path, request);
                int n;
                if (chunk == null) {
                    n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                    if (n > 0) {
                        dst.position(dst.position() + n);
                    }
                } else {
                    n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
                    if (n > 0) {
                        dst.put(chunk, 0, n);
                    }
                }
                if (n < 0) {
                    complete = true;
                    break;
                }
                total += n;
            }
            long length = body.contentLength();
            complete = complete || range != null && length >= 0 && total == length;
            return total == 0 && complete ? -1 : total;
        } catch (ReadStopped e) {
            throw e;
        } catch (SocketTimeoutException e) {
            SocketTimeoutException stalled = new SocketTimeoutException("origin " + settings.id() + ": read " + path
                    + " at offset " + offset + " from " + settings.endpointDescription() + ": no data for "
                    + settings.requestTimeout().toSeconds() + " s (requestTimeoutSeconds); aborted, the caller fails over or retries");
            stalled.initCause(e);
            throw stalled;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("origin " + settings.id() + ": read " + path + " at offset " + offset + " from "
                    + settings.endpointDescription() + " broke off: " + scrubbed(e), scrub(e));
        } finally {
            // read to its end: the connection goes back to the keep-alive cache; else it is dropped,
            // never drained into a connection nobody reuses safely
            body.finish(complete);
        }
    }

    /** The body of a ranged GET, from either read path. */
    private interface Body {
        InputStream stream() throws IOException;

        /** @return the Content-Range header, or null */
        String contentRange();

        /** @return the Content-Length, or -1 when not given */
        long contentLength();

        /** Closes the body: keeps the connection when {@code complete}, else drops it. */
        void finish(boolean complete) throws IOException;
    }

    /** A presigned GET's answer. */
    private static Body body(HttpURLConnection http) {
        return new Body() {
            private InputStream in;

            @Override
            public InputStream stream() throws IOException {
                in = http.getInputStream();
                return in;
            }

            @Override
            public String contentRange() {
                return http.getHeaderField("Content-Range");
            }

            @Override
            public long contentLength() {
                return http.getContentLengthLong();
            }

            @Override
            public void finish(boolean complete) throws IOException {
                if (complete && in != null) {
                    in.close();
                } else {
                    http.disconnect();
                }
            }
        };
    }

    /** The SDK client's GetObject answer. */
    private static Body body(ResponseInputStream<GetObjectResponse> in) {
        return new Body() {
            @Override
            public InputStream stream() {
                return in;
            }

            @Override
            public String contentRange() {
                return in.response().contentRange();
            }

            @Override
            public long contentLength() {
                Long length = in.response().contentLength();
                return length == null ? -1 : length;
            }

            @Override
            public void finish(boolean complete) throws IOException {
                if (!complete) {
                    in.abort();
                }
                in.close();
            }
        };
    }

    /** Between chunks of a body: the SDK's timeouts end when the headers arrive, the socket timeout only catches a stall. */
    private void checkDeadline(String path, S3Connection.Request request) throws ReadStopped {
        if (Thread.currentThread().isInterrupted()) {
            throw new ReadStopped("origin " + settings.id() + ": read " + path + " interrupted");
        }
        if (request.expired()) {
            throw new ReadStopped("origin " + settings.id() + ": read " + path + " from " + settings.endpointDescription()
                    + " took longer than " + settings.requestTimeout().toSeconds()
                    + " s (requestTimeoutSeconds); aborted, the caller fails over or retries");
        }
    }

    /** A read this origin stopped itself: past its deadline or interrupted. */
    private static final class ReadStopped extends InterruptedIOException {
        private static final long serialVersionUID = 1L;

        ReadStopped(String message) {
            super(message);
        }
    }

    /** @return the first byte of a {@code Content-Range: bytes first-last/size} header */
    static long rangeStart(String contentRange) throws IOException {
        String value = contentRange.trim().toLowerCase(Locale.ROOT);
        int dash = value.indexOf('-');
        if (!value.startsWith("bytes ") || dash < 0) {
            throw new IOException("unexpected Content-Range '" + contentRange + "'");
        }
        try {
            return Long.parseLong(value.substring("bytes ".length(), dash).trim());
        } catch (NumberFormatException e) {
            throw new IOException("unexpected Content-Range '" + contentRange + "'");
        }
    }

    /**
     * A one-key listing under the prefix: it needs exactly the permission {@link #walk} needs (a
     * HeadBucket fails under policies that grant a prefix only), and tells a missing bucket apart.
     */
    @Override
    public void probe() throws IOException {
        list(null, null, 1);
    }

    private IOException translate(String operation, String path, SdkException e) {
        if (connection.closed()) {
            IOException stopped = connection.stopped();
            stopped.initCause(e);
            return stopped;
        }
        return failures.translate(operation, path, e);
    }

    /** Whatever else the SDK throws (it validates some input with IllegalArgumentException) still reaches callers as an IOException. */
    private IOException unexpected(String operation, String path, RuntimeException e) {
        return new IOException("origin " + settings.id() + ": " + operation + (path == null ? "" : " " + path)
                + " failed: " + e, e);
    }

    private OriginEntry entry(String path, Long size, Instant lastModified, String etag) {
        long millis = lastModified == null ? 0 : lastModified.truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
        return new OriginEntry(path, size == null ? 0 : size, millis, stripQuotes(etag));
    }

    static String stripQuotes(String etag) {
        if (etag == null) {
            return null;
        }
        String tag = etag.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
            tag = tag.substring(1, tag.length() - 1);
        }
        return tag.isEmpty() ? null : tag;
    }

    /** The key of an origin path, refusing paths a walk never reports (so never a key outside the prefix). */
    private String key(String path) throws NoSuchFileException {
        if (path == null || !representable(path)) {
            throw new NoSuchFileException(String.valueOf(path), null, "origin " + settings.id() + ": not a file path of this origin");
        }
        return settings.prefix() + path;
    }

    /** A relative path with no empty, {@code .} or {@code ..} segment and no leading or trailing slash. */
    static boolean representable(String path) {
        if (path.isEmpty()) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    S3Settings settings() {
        return settings;
    }

    S3Connection connection() {
        return connection;
    }
}
