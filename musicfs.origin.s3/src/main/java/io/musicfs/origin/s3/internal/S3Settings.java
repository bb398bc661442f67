package io.musicfs.origin.s3.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

import io.musicfs.api.origin.OriginIds;

/**
 * The validated, normalised configuration of one S3 origin. {@link #from} throws
 * {@link IllegalArgumentException} naming the property for every bad value, so the component never
 * activates half-configured. Holds no secret: credentials stay in the files and environment the
 * SDK reads them from.
 *
 * @param endpoint the S3-compatible server, or {@code null} for AWS itself
 * @param credentialsFile an AWS shared-credentials file, or {@code null} for the default chain
 * @param profile the profile to use, or {@code null} for the default one
 */
record S3Settings(String id, int priority, String bucket, String prefix, URI endpoint, String region,
        boolean pathStyle, Path credentialsFile, String profile, Duration requestTimeout, int maxConnections) {

    /** Lenient on purpose: S3-compatible servers and old us-east-1 buckets allow more than today's AWS rules. */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,254}");
    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9_.@+/-]{1,128}");
    /** S3 keys are at most 1024 bytes; leave room below the prefix for the files. */
    private static final int MAX_PREFIX_BYTES = 512;
    static final int MAX_TIMEOUT_SECONDS = 3600;
    static final int MAX_CONNECTIONS = 256;

    static S3Settings from(S3Origin.Config config) {
        String id = OriginIds.validate(config.origin_id());
        String bucket = trim(config.bucket());
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("bucket: origin '" + id + "' has no bucket");
        }
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("bucket: '" + bucket + "' is not a valid bucket name (3 to 255 letters, digits, '.', '_' and '-')");
        }
        URI endpoint = endpoint(trim(config.endpoint()));
        String region = trim(config.region());
        if (region.isEmpty()) {
            region = "us-east-1";
        }
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region: '" + region + "' is not a valid region name");
        }
        boolean pathStyle = pathStyle(trim(config.pathStyle()), endpoint != null);
        Path credentialsFile = credentialsFile(trim(config.credentialsFile()));
        String profile = trim(config.profile());
        if (!profile.isEmpty() && !PROFILE.matcher(profile).matches()) {
            throw new IllegalArgumentException("profile: '" + profile + "' is not a valid profile name");
        }
        int timeout = config.requestTimeoutSeconds();
        if (timeout < 1 || timeout > MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("requestTimeoutSeconds: " + timeout + " is out of range (1 to " + MAX_TIMEOUT_SECONDS + ")");
        }
        int connections = config.maxConnections();
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("maxConnections: " + connections + " is out of range (1 to " + MAX_CONNECTIONS + ")");
        }
        return new S3Settings(id, config.origin_priority(), bucket, prefix(config.prefix()), endpoint, region, pathStyle,
                credentialsFile, profile.isEmpty() ? null : profile, Duration.ofSeconds(timeout), connections);
    }

    /** Leading slashes dropped, one trailing slash added: {@code /music/flac} becomes {@code music/flac/}. */
    static String prefix(String value) {
        String prefix = value == null ? "" : value.strip();
        while (prefix.startsWith("/")) {
            prefix = prefix.substring(1);
        }
        if (prefix.isEmpty()) {
            return "";
        }
        if (!prefix.endsWith("/")) {
            prefix += "/";
        }
        if (prefix.contains("//")) {
            throw new IllegalArgumentException("prefix: '" + value + "' has an empty path segment");
        }
        if (prefix.getBytes(StandardCharsets.UTF_8).length > MAX_PREFIX_BYTES) {
            throw new IllegalArgumentException("prefix: longer than " + MAX_PREFIX_BYTES + " bytes");
        }
        return prefix;
    }

    private static URI endpoint(String value) {
        if (value.isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            // The reason, not the value: a mistyped endpoint could hold a secret.
            throw new IllegalArgumentException("endpoint: not a valid URI (" + e.getReason() + ")");
        }
        if (uri.getRawUserInfo() != null) {
            // Never echo it: whatever sits before the '@' is most likely a key.
            throw new IllegalArgumentException("endpoint: must not contain credentials (user info before '@'); use credentialsFile");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("endpoint: '" + value + "' must be an http:// or https:// URI");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("endpoint: '" + value + "' has no host");
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("endpoint: '" + value + "' must be scheme://host[:port] only (no path, query or fragment)");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority());
    }

    private static boolean pathStyle(String value, boolean hasEndpoint) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "":
            case "auto":
                // S3-compatible servers rarely have wildcard DNS for bucket host names; AWS prefers virtual hosts.
                return hasEndpoint;
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("pathStyle: '" + value + "' is not one of auto, true, false");
        }
    }

    private static Path credentialsFile(String value) {
        if (value.isEmpty()) {
            return null;
        }
        Path file;
        try {
            file = Path.of(value.startsWith("~/") ? System.getProperty("user.home") + value.substring(1) : value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("credentialsFile: '" + value + "' is not a valid path");
        }
        file = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("credentialsFile: " + display(file) + " does not exist or is not a file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("credentialsFile: " + display(file) + " is not readable by this user");
        }
        return file;
    }

    /** @return where requests go, for messages: the configured endpoint or the AWS one of the region */
    String endpointDescription() {
        return endpoint != null ? endpoint.toString() : "https://s3." + region + ".amazonaws.com";
    }

    /** @return where the credentials come from, for messages; never the credentials themselves */
    String credentialsDescription() {
        String profilePart = profile == null ? "" : " (profile " + profile + ")";
        return credentialsFile != null ? "credentials file " + display(credentialsFile) + profilePart
                : "the default AWS credentials chain" + profilePart;
    }

    /** A path for logs and messages, with the home directory shortened to {@code ~}. */
    static String display(Path file) {
        String home = System.getProperty("user.home");
        String path = file.toString();
        if (home != null && !home.isEmpty() && !home.equals("/") && path.startsWith(home + "/")) {
            return "~" + path.substring(home.length());
        }
        return path;
    }

    private static String trim(String value) {
        return value == null ? "" : value.strip();
    }
}
