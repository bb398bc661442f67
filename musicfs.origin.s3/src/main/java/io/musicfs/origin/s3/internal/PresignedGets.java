package io.musicfs.origin.s3.internal;

import java.net.URL;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import software.amazon.awssdk.services.s3.presigner.S3Presigner;

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

    /** One presigned URL; {@code fresh} when signed for this very lookup rather than taken from the cache. */
    static final class Signed {
        private final URL url;
        private final long signedAt;
        private final boolean fresh;

        private Signed(URL url, long signedAt, boolean fresh) {
            this.url = url;
            this.signedAt = signedAt;
            this.fresh = fresh;
        }

        URL url() {
            return url;
        }

        boolean fresh() {
            return fresh;
        }

        /** Never the URL: it holds the access key id and the signature. */
        @Override
        public String toString() {
            return "presigned GET (URL withheld)";
        }
    }

    private final S3Presigner presigner;
    private final String bucket;
    private final ConcurrentHashMap<String, Signed> cache = new ConcurrentHashMap<>();
    /** the clock of {@link #REUSE}; tests move it */
    LongSupplier clock = System::nanoTime;
    /** signatures made so far; for tests */
    final AtomicLong signatures = new AtomicLong();

    PresignedGets(S3Presigner presigner, String bucket) {
        this.presigner = presigner;
        this.bucket = bucket;
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
        URL url = presigner.presignGetObject(p -> p.signatureDuration(VALIDITY).getObjectRequest(g -> g.bucket(bucket).key(key))).url();
        signatures.incrementAndGet();
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Signed(url, now, false));
        return new Signed(url, now, true);
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
