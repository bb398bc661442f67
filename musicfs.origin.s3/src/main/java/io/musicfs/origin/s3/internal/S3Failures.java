package io.musicfs.origin.s3.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.SSLException;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * What an S3 failure means for an origin: whether the SDK retries it, and the {@link IOException}
 * the origin's callers see. Messages name the origin, the endpoint and the bucket, say what failed
 * and what happens next, and never carry a credential (only where credentials come from).
 *
 * <p>Retries are for conditions that pass on their own: throttling (429, 503 SlowDown), server
 * errors (500, 502, 503, 504, S3's RequestTimeout) and connections that broke mid-request (reset,
 * early end of stream). Everything else fails at once: access denied, a missing bucket or key, a
 * refused connection, an unknown host (the health monitor probes again; retrying here only delays
 * the verdict and the failover).
 */
final class S3Failures {

    private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 500, 502, 503, 504);
    private static final Set<String> THROTTLING_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "ThrottledException", "RequestThrottled", "RequestLimitExceeded", "TooManyRequestsException",
            "RequestThrottledException", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded");
    private static final Set<String> RETRYABLE_CODES = Set.of("RequestTimeout", "InternalError", "ServiceUnavailable");
    private static final Set<String> ACCESS_CODES = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem",
            "InvalidSecurity", "RequestTimeTooSkewed");
    private static final Set<String> REGION_CODES = Set.of("PermanentRedirect", "AuthorizationHeaderMalformed",
            "IllegalLocationConstraintException", "TemporaryRedirect");

    private final S3Settings settings;

    S3Failures(S3Settings settings) {
        this.settings = settings;
    }

    /** The retry condition handed to the SDK's retry strategy. */
    static boolean retryable(Throwable failure) {
        if (failure instanceof SdkServiceException) {
            SdkServiceException service = (SdkServiceException) failure;
            String code = errorCode(service);
            return RETRYABLE_STATUS.contains(service.statusCode()) || THROTTLING_CODES.contains(code)
                    || RETRYABLE_CODES.contains(code);
        }
        if (failure instanceof ApiCallTimeoutException || failure instanceof AbortedException) {
            return false;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof PortUnreachableException || cause instanceof UnknownHostException
                    || cause instanceof InterruptedIOException && !(cause instanceof SocketTimeoutException)) {
                return false;
            }
            if (cause instanceof SocketException || cause instanceof EOFException) {
                // connection reset, broken pipe, socket closed under the request
                return true;
            }
            if (cause instanceof IOException && cause.getMessage() != null) {
                String message = cause.getMessage().toLowerCase(Locale.ROOT);
                // HttpURLConnection's words for a connection that ended early
                if (message.contains("premature eof") || message.contains("unexpected end of file")
                        || message.contains("connection reset")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Throttling gets the longer backoff. */
    static boolean throttling(Throwable failure) {
        if (failure instanceof SdkServiceException) {
            SdkServiceException service = (SdkServiceException) failure;
            return service.statusCode() == 429 || THROTTLING_CODES.contains(errorCode(service));
        }
        return false;
    }

    /** @return whether this is an access problem: wrong or expired credentials, or a policy saying no */
    static boolean accessDenied(SdkServiceException failure) {
        return failure.statusCode() == 403 || failure.statusCode() == 401 || ACCESS_CODES.contains(errorCode(failure));
    }

    static String errorCode(SdkServiceException failure) {
        if (failure instanceof AwsServiceException && ((AwsServiceException) failure).awsErrorDetails() != null) {
            String code = ((AwsServiceException) failure).awsErrorDetails().errorCode();
            return code == null ? "" : code;
        }
        return "";
    }

    /**
     * @param operation what the origin was doing, as a verb phrase ({@code "list"}, {@code "read"})
     * @param path the origin path concerned, or {@code null} for the bucket as a whole
     * @return the exception for the origin's callers; {@link NoSuchFileException} only when the
     *     server said the key does not exist in an existing bucket
     */
    IOException translate(String operation, String path, SdkException failure) {
        String target = path == null ? "" : " " + path;
        String where = " at " + settings.endpointDescription();
        if (failure instanceof SdkServiceException) {
            SdkServiceException service = (SdkServiceException) failure;
            String code = errorCode(service);
            String status = "HTTP " + service.statusCode() + (code.isEmpty() ? "" : " " + code);
            if (accessDenied(service)) {
                return new IOException("origin " + settings.id() + ": access denied to bucket " + settings.bucket() + where
                        + " (" + status + ", " + operation + target + "): check " + settings.credentialsDescription()
                        + " and the bucket policy; not retried, the origin stays unhealthy until a probe passes", failure);
            }
            if (code.equals("NoSuchBucket")) {
                return new IOException(bucketMissing(), failure);
            }
            if (code.equals("NoSuchKey") && path != null) {
                return noSuchFile(path, failure);
            }
            if (REGION_CODES.contains(code) || service.statusCode() == 301) {
                return new IOException("origin " + settings.id() + ": bucket " + settings.bucket() + " is not in region "
                        + settings.region() + where + " (" + status + "): set the origin's region (or endpoint) to the bucket's",
                        failure);
            }
            String detail = service instanceof AwsServiceException && ((AwsServiceException) service).awsErrorDetails() != null
                    && ((AwsServiceException) service).awsErrorDetails().errorMessage() != null
                    ? ": " + ((AwsServiceException) service).awsErrorDetails().errorMessage() : "";
            String attempts = retryable(service) ? " after " + attempts(failure) + " with backoff; the server is busy or"
                    + " failing, the origin counts as unhealthy until a probe passes" : "";
            return new IOException("origin " + settings.id() + ": " + operation + target + " in bucket " + settings.bucket()
                    + " failed" + where + " (" + status + detail + ")" + attempts, failure);
        }
        if (failure instanceof ApiCallTimeoutException || failure instanceof ApiCallAttemptTimeoutException) {
            return new IOException("origin " + settings.id() + ": " + operation + target + " timed out" + where + " after "
                    + settings.requestTimeout().toSeconds() + " s (requestTimeoutSeconds); the origin counts as unreachable"
                    + " until a probe passes", failure);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return new IOException("origin " + settings.id() + ": cannot resolve the host of " + settings.endpointDescription()
                        + " (unknown host " + cause.getMessage() + "): DNS or network down, or a wrong endpoint; "
                        + "the origin is probed again", failure);
            }
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
                String why = cause instanceof NoRouteToHostException ? "no route to host"
                        : cause.getMessage() == null ? "connection refused" : cause.getMessage().toLowerCase(Locale.ROOT);
                return new IOException("origin " + settings.id() + ": cannot connect to " + settings.endpointDescription()
                        + " (" + why + "); the origin counts as unreachable until a probe passes", failure);
            }
            if (cause instanceof SocketTimeoutException) {
                return new IOException("origin " + settings.id() + ": " + operation + target + ": no answer from "
                        + settings.endpointDescription() + " (" + cause.getMessage() + "); the origin counts as unreachable"
                        + " until a probe passes", failure);
            }
            if (cause instanceof SSLException) {
                return new IOException("origin " + settings.id() + ": TLS with " + settings.endpointDescription() + " failed ("
                        + cause.getMessage() + ")", failure);
            }
            if (cause instanceof InterruptedException || cause instanceof InterruptedIOException
                    || cause instanceof AbortedException && Thread.currentThread().isInterrupted()) {
                InterruptedIOException interrupted = new InterruptedIOException("origin " + settings.id() + ": " + operation
                        + target + " interrupted");
                interrupted.initCause(failure);
                return interrupted;
            }
        }
        String attempts = retryable(failure) ? " after " + attempts(failure) : "";
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IOException("origin " + settings.id() + ": " + operation + target + " failed" + where + attempts + ": "
                + (root == failure ? failure.getMessage() : root.toString()), failure);
    }

    NoSuchFileException noSuchFile(String path, Throwable cause) {
        NoSuchFileException missing = new NoSuchFileException(path, null, "origin " + settings.id() + ": no object "
                + settings.prefix() + path + " in bucket " + settings.bucket());
        if (cause != null) {
            missing.initCause(cause);
        }
        return missing;
    }

    String bucketMissing() {
        return "origin " + settings.id() + ": bucket " + settings.bucket() + " does not exist at "
                + settings.endpointDescription() + " (check the bucket name, region and endpoint); the origin stays "
                + "unhealthy until it does";
    }

    private static String attempts(SdkException failure) {
        Integer attempts = failure.numAttempts();
        return attempts == null || attempts <= 1 ? "1 attempt" : attempts + " attempts";
    }
}
