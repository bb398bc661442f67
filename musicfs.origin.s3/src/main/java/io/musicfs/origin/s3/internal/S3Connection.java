package io.musicfs.origin.s3.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileProperty;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * One origin's connection to S3: the SDK client, its HTTP client and credentials provider, and
 * the permits that bound concurrent requests.
 *
 * <p><b>Concurrency bound.</b> The url-connection HTTP client has no pool of its own: every request
 * opens or reuses a JDK {@code HttpURLConnection}, whose keep-alive cache only limits idle
 * connections (system property {@code http.maxConnections}: 5 per host by default, 32 in the
 * MusicFS runtime so that connections of a burst of requests are kept). So a
 * {@link Semaphore} of {@code maxConnections} permits bounds the requests in flight, a GetObject
 * holding its permit until its body is read or aborted. A caller that finds every permit taken
 * waits at most the request timeout, then fails, so no reader waits without bound.
 *
 * <p><b>OSGi.</b> The SDK is embedded in this bundle; it finds some resources and classes through
 * the thread context class loader, which on a framework or FUSE thread is not this bundle's. Every
 * request therefore runs with the context class loader set to the bundle's ({@link Request}), and
 * the HTTP client is given explicitly (the SDK's ServiceLoader lookup finds nothing in OSGi).
 *
 * <p><b>Reads</b> do not go through the SDK client: {@link S3Origin#read} sends a plain
 * {@code HttpURLConnection} GET on a presigned URL ({@link PresignedGets}) under the same permits,
 * timeouts and retry rules; listing and HEAD stay on the client. A server that refuses a freshly
 * presigned GET but grants the client's request (clock skew, no query-string signatures) is read
 * through the client from then on.
 *
 * <p>Threads: one daemon thread ({@code musicfs-s3-timeouts-<id>}) fires the SDK's request timeouts;
 * requests run on their callers' threads. {@link #close()} stops it.
 *
 * <p>Thread-safe: the SDK client is; the permits are a semaphore. {@link #close()} may race with
 * requests, which then fail with an {@link IOException} saying the origin stopped.
 */
final class S3Connection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Connection.class);

    static final int MAX_ATTEMPTS = 3;
    /** first retry after up to 100 ms (full jitter), doubling up to 2 s */
    static final BackoffStrategy BACKOFF = BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(2));
    /** a server that asked us to slow down gets longer pauses: up to 500 ms, doubling up to 5 s */
    static final BackoffStrategy THROTTLING_BACKOFF = BackoffStrategy.exponentialDelay(Duration.ofMillis(500), Duration.ofSeconds(5));
    /** connecting is quick or hopeless: cap it below the request timeout so a black hole fails early */
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final S3Settings settings;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final S3Client client;
    private final PresignedGets presignedGets;
    private final Duration connectTimeout;
    private final Semaphore permits;
    /** fires the SDK's timeouts; one thread instead of the SDK's default five per client */
    private final ScheduledThreadPoolExecutor timeouts;
    private final ClassLoader bundleLoader = S3Connection.class.getClassLoader();
    private volatile boolean closed;

    S3Connection(S3Settings settings) {
        this.settings = settings;
        this.permits = new Semaphore(settings.maxConnections(), true);
        this.timeouts = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "musicfs-s3-timeouts-" + settings.id());
            thread.setDaemon(true);
            return thread;
        });
        timeouts.setRemoveOnCancelPolicy(true);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(bundleLoader);
        try {
            credentials = credentialsProvider(settings);
            Duration timeout = settings.requestTimeout();
            connectTimeout = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
            http = UrlConnectionHttpClient.builder()
                    .connectionTimeout(connectTimeout)
                    .socketTimeout(timeout)
                    .build();
            S3ClientBuilder builder = S3Client.builder()
                    .httpClient(http)
                    .region(Region.of(settings.region()))
                    .credentialsProvider(credentials)
                    .forcePathStyle(settings.pathStyle())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .overrideConfiguration(o -> o
                            .retryStrategy(retryStrategy())
                            .scheduledExecutorService(timeouts)
                            // per attempt and for the whole call, retries included
                            .apiCallAttemptTimeout(timeout)
                            .apiCallTimeout(timeout));
            if (settings.endpoint() != null) {
                builder.endpointOverride(settings.endpoint());
            }
            client = builder.build();
            // Signs reads exactly as the client would send them: same credentials, region, endpoint and addressing.
            S3Presigner.Builder presigner = S3Presigner.builder()
                    .region(Region.of(settings.region()))
                    .credentialsProvider(credentials)
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
            if (settings.endpoint() != null) {
                presigner.endpointOverride(settings.endpoint());
            }
            presignedGets = new PresignedGets(settings.id(), presigner.build(), settings.bucket(), credentials, settings.region());
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** Retries only what passes on its own (see {@link S3Failures#retryable}); never the SDK's wider defaults. */
    static RetryStrategy retryStrategy() {
        return StandardRetryStrategy.builder()
                .maxAttempts(MAX_ATTEMPTS)
                .retryOnException(S3Failures::retryable)
                .treatAsThrottling(S3Failures::throttling)
                .backoffStrategy(BACKOFF)
                .throttlingBackoffStrategy(THROTTLING_BACKOFF)
                .useClientDefaults(false)
                .build();
    }

    private static AwsCredentialsProvider credentialsProvider(S3Settings settings) {
        Path file = settings.credentialsFile();
        if (file == null) {
            defaultCredentialsFile().ifPresent(shared -> warnIfShared(settings, shared));
            return DefaultCredentialsProvider.builder().profileName(settings.profile()).build();
        }
        String profileName = settings.profile() == null ? "default" : settings.profile();
        CredentialsFile credentialsFile = new CredentialsFile(settings.id(), file, CredentialsFile.CHECK_INTERVAL_NANOS);
        Optional<Profile> profile = credentialsFile.loaded().profile(profileName);
        if (profile.isEmpty()) {
            throw new IllegalArgumentException((settings.profile() == null ? "credentialsFile: " : "profile: ")
                    + "no profile '" + profileName + "' in credentials file " + S3Settings.display(file));
        }
        if (profile.get().property(ProfileProperty.AWS_ACCESS_KEY_ID).isEmpty()
                && profile.get().property(ProfileProperty.CREDENTIAL_PROCESS).isEmpty()) {
            throw new IllegalArgumentException("profile: profile '" + profileName + "' in " + S3Settings.display(file)
                    + " has neither aws_access_key_id nor credential_process (role, SSO and web-identity profiles need"
                    + " SDK modules this bundle does not embed)");
        }
        warnIfShared(settings, file);
        return ProfileCredentialsProvider.builder().profileFile(credentialsFile).profileName(profileName).build();
    }

    /** The file the default chain reads: {@code AWS_SHARED_CREDENTIALS_FILE}, else {@code ~/.aws/credentials}. */
    private static Optional<Path> defaultCredentialsFile() {
        String configured = System.getProperty("aws.sharedCredentialsFile", System.getenv("AWS_SHARED_CREDENTIALS_FILE"));
        Path file = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".aws", "credentials");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private static void warnIfShared(S3Settings settings, Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("origin {}: credentials file {} is readable by group or others ({}); restrict it to its owner"
                        + " (chmod 600)", settings.id(), S3Settings.display(file), PosixFilePermissions.toString(mode));
            }
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debug("origin {}: cannot check the permissions of {}: {}", settings.id(), S3Settings.display(file), e.toString());
        }
    }

    S3Client client() {
        return client;
    }

    /** Presigned GetObject URLs for {@link S3Origin#read}, which sends its GETs itself. */
    PresignedGets presignedGets() {
        return presignedGets;
    }

    /** @return the connect timeout of every request: the request timeout, at most 10 s */
    Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Takes a permit and switches the context class loader for one request; {@link Request#close()}
     * undoes both. Waits at most the request timeout for a permit.
     */
    Request request(String operation, String path) throws IOException {
        if (closed) {
            throw stopped();
        }
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        try {
            if (!permits.tryAcquire(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("origin " + settings.id() + ": " + operation + (path == null ? "" : " " + path)
                        + ": all " + settings.maxConnections() + " connections (maxConnections) stayed busy for "
                        + settings.requestTimeout().toSeconds() + " s; the request was not sent");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("origin " + settings.id() + ": " + operation + " interrupted while waiting for a connection");
        }
        return new Request(deadline);
    }

    IOException stopped() {
        return new IOException("origin " + settings.id() + ": stopped (its bundle or configuration changed); not served by this instance any more");
    }

    boolean closed() {
        return closed;
    }

    /**
     * One request in flight: holds a permit and this bundle's context class loader until closed,
     * and the request's deadline, counted from before the wait for a permit.
     */
    final class Request implements AutoCloseable {

        private final Thread thread = Thread.currentThread();
        private final ClassLoader previous = thread.getContextClassLoader();
        private final long deadline;
        private boolean open = true;

        private Request(long deadline) {
            this.deadline = deadline;
            thread.setContextClassLoader(bundleLoader);
        }

        /** @return the time left for the SDK call (attempts and backoff), at least a millisecond */
        Duration remaining() {
            return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
        }

        /** @return whether the deadline has passed */
        boolean expired() {
            return System.nanoTime() - deadline > 0;
        }

        /** Limits one SDK call to what is left of the request's time. */
        AwsRequestOverrideConfiguration timeLeft() {
            Duration left = remaining();
            return AwsRequestOverrideConfiguration.builder().apiCallTimeout(left).apiCallAttemptTimeout(left).build();
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                thread.setContextClassLoader(previous);
                permits.release();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(bundleLoader);
        try {
            closeQuietly();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private void closeQuietly() {
        timeouts.shutdownNow(); // the SDK never shuts down an executor it was given
        for (Object resource : new Object[] {presignedGets, client, http, credentials}) {
            if (resource instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) resource).close();
                } catch (Exception e) {
                    LOG.debug("origin {}: closing {}: {}", settings.id(), resource.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }
}
