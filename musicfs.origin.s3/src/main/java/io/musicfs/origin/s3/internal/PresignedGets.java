package io.musicfs.origin.s3.internal;

import java.net.MalformedURLException;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Presigned GetObject URLs of one origin's keys, cached per key, for the read path that bypasses
 * the SDK's request pipeline (see {@link S3Origin#read}).
 *
 * <p><b>Why.</b> A ranged GET through {@code S3Client.getObject} runs the SDK's whole per-call
 * pipeline (interceptors, endpoint rules, SigV4 signing, response unmarshalling, per-call and
 * per-attempt timeout tasks): in a young JVM that costs milliseconds of CPU per read, many times
 * what the server needs. A presigned URL carries the signature in its query, so once signed, each
 * ranged read is one plain {@code HttpURLConnection} GET with a Range header (the Range header is
 * not signed, so one URL serves every range of the file). The URL comes from the SDK's own
 * {@link S3Presigner} with the connection's credentials provider, region, endpoint and
 * path-style, so it addresses and signs exactly as the client would.
 *
 * <p><b>Signing directly.</b> The presigner runs a pipeline of its own (interceptors, endpoint rules,
 * auth scheme resolution) that costs tens of microseconds per URL in a warm JVM and several times that
 * in a young one, which a cold read of a short track pays in full. So the first URL comes from the
 * presigner, and from it the origin learns its address (scheme, host, port, the path before the
 * key); later URLs are signed with the SDK's SigV4 signer alone ({@link AwsV4HttpSigner}, query
 * string signatures, unsigned payload, keys encoded as the S3 client encodes them). That takes over
 * only when it signs the first key, at the presigner's own time stamp, into the very URL the
 * presigner made; otherwise every URL keeps coming from the presigner. A directly signed URL the
 * server refuses is followed by the presigner's for the same read; if that one is granted, direct
 * signing stops for good ({@link #directRefused}).
 *
 * <p><b>Lifetime.</b> A URL is signed for {@link #VALIDITY} but reused only for {@link #REUSE}:
 * well inside its validity (clock skew, a read that starts late) and short enough that rotated
 * credentials are picked up within minutes. A URL an access-denied answer came back for is
 * dropped ({@link #forget}), so the caller can re-sign at once with the current credentials.
 *
 * <p><b>Secrets.</b> A URL holds the access key id and the signature (and a session token, if
 * any). It never goes into a log line, an exception message or a status: {@link Signed#toString()}
 * withholds it, and the origin scrubs exception messages of the JDK's HTTP client that could
 * quote it.
 *
 * <p>Thread-safe. Bounded: past {@link #MAX_CACHED} keys the cache starts over (a re-sign costs
 * far less than the reads it saves; an LRU is not worth its locking here).
 */
final class PresignedGets implements AutoCloseable {

    /** how long a signature is valid for the server */
    static final Duration VALIDITY = Duration.ofMinutes(15);
    /** how long a signed URL is reused: well inside {@link #VALIDITY}, and the longest rotated credentials wait */
    static final Duration REUSE = Duration.ofMinutes(4);
    static final int MAX_CACHED = 10_000;

    /**
     * One presigned URL; {@code fresh} when signed for this very lookup rather than taken from the
     * cache, {@code direct} when signed by the SigV4 signer alone rather than by the presigner.
     */
    static final class Signed {
        private final URL url;
        private final long signedAt;
        private final boolean fresh;
        private final boolean direct;

        private Signed(URL url, long signedAt, boolean fresh, boolean direct) {
            this.url = url;
            this.signedAt = signedAt;
            this.fresh = fresh;
            this.direct = direct;
        }

        URL url() {
            return url;
        }

        boolean fresh() {
            return fresh;
        }

        boolean direct() {
            return direct;
        }

        /** Never the URL: it holds the access key id and the signature. */
        @Override
        public String toString() {
            return "presigned GET (URL withheld)";
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(PresignedGets.class);
    /** {@code X-Amz-Date}: the signature's time stamp */
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final String originId;
    private final S3Presigner presigner;
    private final String bucket;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final ConcurrentHashMap<String, Signed> cache = new ConcurrentHashMap<>();
    /** The learned address, once direct signing has proven itself; null before, and for good after a refusal or a mismatch. */
    private volatile Direct direct;
    /** Whether the presigner's first URL has been compared with a direct signature (done once). */
    private volatile boolean compared;
    /** the clock of {@link #REUSE}; tests move it */
    LongSupplier clock = System::nanoTime;
    /** signatures made so far, and how many of them by the presigner; for tests */
    final AtomicLong signatures = new AtomicLong();
    final AtomicLong presignerSignatures = new AtomicLong();

    PresignedGets(String originId, S3Presigner presigner, String bucket, AwsCredentialsProvider credentials, String region) {
        this.originId = originId;
        this.presigner = presigner;
        this.bucket = bucket;
        this.credentials = credentials;
        this.region = region;
    }

    /**
     * @return a URL for a GET of the key, from the cache while it is younger than {@link #REUSE}
     * @throws software.amazon.awssdk.core.exception.SdkException when the credentials cannot be resolved
     */
    Signed get(String key) {
        long now = clock.getAsLong();
        Signed cached = cache.get(key);
        if (cached != null && now - cached.signedAt < TimeUnit.MILLISECONDS.toNanos(REUSE.toMillis())) {
            return cached;
        }
        Direct d = direct;
        Signed signed;
        if (d != null) {
            signed = new Signed(d.sign(key, credentials, region, Clock.systemUTC()), now, true, true);
        } else {
            signed = byPresigner(key, now);
            if (!compared) {
                compare(key, signed.url);
            }
        }
        signatures.incrementAndGet();
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Signed(signed.url, now, false, signed.direct));
        return signed;
    }

    /** A URL for the key from the presigner, whatever the direct signer's state; cached like any other. */
    Signed fromPresigner(String key) {
        long now = clock.getAsLong();
        Signed signed = byPresigner(key, now);
        signatures.incrementAndGet();
        cache.put(key, new Signed(signed.url, now, false, false));
        return signed;
    }

    /** The server refused a directly signed URL and granted the presigner's for the same read: the presigner signs from now on. */
    void directRefused() {
        if (direct != null) {
            direct = null;
            cache.clear();
            LOG.info("origin {}: the server refused a read signed directly but granted the same read presigned by the SDK;"
                    + " reads are presigned by the SDK from now on, at a higher cost per read", originId);
        }
    }

    private Signed byPresigner(String key, long now) {
        URL url = presigner.presignGetObject(p -> p.signatureDuration(VALIDITY).getObjectRequest(g -> g.bucket(bucket).key(key))).url();
        presignerSignatures.incrementAndGet();
        return new Signed(url, now, true, false);
    }

    /** Learns the address from the presigner's URL and trusts direct signing if it makes that same URL. Once. */
    private synchronized void compare(String key, URL presigned) {
        if (compared) {
            return;
        }
        compared = true;
        try {
            Direct d = Direct.learn(key, presigned);
            URL ours = d.sign(key, credentials, region, Clock.fixed(signedAt(presigned), ZoneOffset.UTC));
            if (ours.toString().equals(presigned.toString())) {
                direct = d;
                LOG.debug("origin {}: reads are signed directly (the SigV4 signer made the presigner's URL)", originId);
            } else {
                // Never the URLs: they hold the access key id and the signature.
                LOG.debug("origin {}: a directly signed URL differs from the presigner's; every read is presigned by the SDK", originId);
            }
        } catch (RuntimeException e) {
            LOG.debug("origin {}: reads are presigned by the SDK, direct signing could not be set up: {}", originId, e.getClass().getName());
        }
    }

    /** The time stamp the URL was signed at ({@code X-Amz-Date}). */
    static Instant signedAt(URL url) {
        String query = url.getQuery();
        for (String param : query == null ? new String[0] : query.split("&")) {
            if (param.startsWith("X-Amz-Date=")) {
                try {
                    return LocalDateTime.parse(param.substring("X-Amz-Date=".length()), AMZ_DATE).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("unreadable X-Amz-Date", e);
                }
            }
        }
        throw new IllegalArgumentException("no X-Amz-Date");
    }

    /**
     * Where an origin's objects are: everything of a presigned URL but the key and the query. Signs a
     * GET of a key there with SigV4 query parameters, as {@link S3Presigner} does for S3.
     */
    record Direct(String protocol, String host, int port, String pathBeforeKey) {

        private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

        /** @throws IllegalArgumentException when the URL's path does not end with the key as the S3 client encodes it */
        static Direct learn(String key, URL presigned) {
            String path = presigned.getPath();
            String encodedKey = SdkHttpUtils.urlEncodeIgnoreSlashes(key);
            if (!path.endsWith(encodedKey)) {
                throw new IllegalArgumentException("the presigned path does not end with the encoded key");
            }
            return new Direct(presigned.getProtocol(), presigned.getHost(), presigned.getPort(),
                    path.substring(0, path.length() - encodedKey.length()));
        }

        URL sign(String key, AwsCredentialsProvider credentials, String region, Clock clock) {
            SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).protocol(protocol).host(host)
                    .encodedPath(pathBeforeKey + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
            if (port != -1) {
                request.port(port);
            }
            SdkHttpRequest signed = SIGNER.sign(r -> r.identity(credentials.resolveCredentials()).request(request.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, VALIDITY)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(HttpSigner.SIGNING_CLOCK, clock)).request();
            try {
                return signed.getUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException("signed URL is not a URL", e);
            }
        }
    }

    /** Drops the key's cached URL if it is still the one given (another thread may have re-signed meanwhile). */
    void forget(String key, Signed signed) {
        cache.computeIfPresent(key, (k, cached) -> cached.url == signed.url ? null : cached);
    }

    @Override
    public void close() {
        cache.clear();
        presigner.close();
    }
}
