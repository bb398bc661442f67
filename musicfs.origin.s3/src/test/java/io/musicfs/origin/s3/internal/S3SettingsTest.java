package io.musicfs.origin.s3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Configuration validation, the retry rule and path rules, without a server. */
class S3SettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsGiveAnAwsOriginOnTheDefaultCredentialsChain() {
        S3Settings settings = S3Settings.from(TestConfig.of("aws", "my-music"));
        assertEquals("aws", settings.id());
        assertEquals(10, settings.priority());
        assertEquals("", settings.prefix());
        assertNull(settings.endpoint());
        assertEquals("us-east-1", settings.region());
        assertFalse(settings.pathStyle(), "AWS prefers virtual-hosted requests");
        assertNull(settings.credentialsFile());
        assertEquals(Duration.ofSeconds(30), settings.requestTimeout());
        assertEquals(8, settings.maxConnections());
        assertEquals("https://s3.us-east-1.amazonaws.com", settings.endpointDescription());
        assertEquals("the default AWS credentials chain", settings.credentialsDescription());
    }

    @Test
    void anEndpointTurnsOnPathStyleUnlessSaidOtherwise() {
        TestConfig config = TestConfig.of("minio", "music").endpoint("HTTPS://minio.local:9000/");
        S3Settings settings = S3Settings.from(config);
        assertEquals(URI.create("https://minio.local:9000"), settings.endpoint());
        assertTrue(settings.pathStyle());
        config.pathStyle = "false";
        assertFalse(S3Settings.from(config).pathStyle());
        config.pathStyle = "TRUE";
        assertTrue(S3Settings.from(config).pathStyle());
        TestConfig aws = TestConfig.of("aws", "music");
        aws.pathStyle = "true";
        assertTrue(S3Settings.from(aws).pathStyle());
    }

    @Test
    void prefixIsNormalisedToAFolder() {
        assertEquals("", S3Settings.prefix(""));
        assertEquals("", S3Settings.prefix("///"));
        assertEquals("music/flac/", S3Settings.prefix("/music/flac"));
        assertEquals("music/flac/", S3Settings.prefix("music/flac/"));
        assertEquals("a/", S3Settings.prefix("  a "));
    }

    @Test
    void badValuesNameTheProperty() throws IOException {
        assertProperty("origin.id:", c -> c.id = "bad id/x");
        assertProperty("origin.id:", c -> c.id = null);
        assertProperty("bucket:", c -> c.bucket = " ");
        assertProperty("bucket:", c -> c.bucket = null);
        assertProperty("bucket:", c -> c.bucket = "a/b");
        assertProperty("prefix:", c -> c.prefix = "a//b");
        assertProperty("endpoint:", c -> c.endpoint = "ftp://host");
        assertProperty("endpoint:", c -> c.endpoint = "http://");
        assertProperty("endpoint:", c -> c.endpoint = "http://host:9000/some/path");
        assertProperty("endpoint:", c -> c.endpoint = "not a uri");
        assertProperty("region:", c -> c.region = "eu west");
        assertProperty("pathStyle:", c -> c.pathStyle = "maybe");
        assertProperty("requestTimeoutSeconds:", c -> c.requestTimeoutSeconds = 0);
        assertProperty("maxConnections:", c -> c.maxConnections = 0);
        assertProperty("maxConnections:", c -> c.maxConnections = 100_000);
        assertProperty("credentialsFile:", c -> c.credentialsFile = dir.resolve("missing").toString());
        Path credentials = Files.writeString(dir.resolve("credentials"), "[default]\naws_access_key_id = AKIDEXAMPLE\n"
                + "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n[noKey]\nregion = eu-west-1\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        assertProperty("profile:", c -> c.credentials(credentials).profile("nobody"));
        assertProperty("profile:", c -> c.credentials(credentials).profile("noKey"));
        Path broken = Files.writeString(dir.resolve("broken"), "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
        IllegalArgumentException e = assertProperty("credentialsFile:", c -> c.credentials(broken));
        assertFalse(e.getMessage().contains("wJalrXUtnFEMI"), e.getMessage());
    }

    @Test
    void anEndpointWithCredentialsIsRefusedWithoutEchoingThem() {
        IllegalArgumentException e = assertProperty("endpoint:", c -> c.endpoint = "https://AKIDEXAMPLE:s3cr3tKey@minio.local:9000");
        assertFalse(e.getMessage().contains("s3cr3tKey") || e.getMessage().contains("AKIDEXAMPLE"), e.getMessage());
    }

    @Test
    void onlyConditionsThatPassOnTheirOwnAreRetried() {
        assertTrue(S3Failures.retryable(serviceError(503, "SlowDown")));
        assertTrue(S3Failures.retryable(serviceError(429, "TooManyRequests")));
        assertTrue(S3Failures.retryable(serviceError(500, "InternalError")));
        assertTrue(S3Failures.retryable(serviceError(502, "")));
        assertTrue(S3Failures.retryable(serviceError(504, "")));
        assertTrue(S3Failures.retryable(serviceError(400, "RequestTimeout")));
        assertTrue(S3Failures.retryable(clientError(new SocketException("Connection reset"))));
        assertTrue(S3Failures.retryable(clientError(new IOException("Premature EOF"))));
        assertTrue(S3Failures.throttling(serviceError(503, "SlowDown")));
        assertFalse(S3Failures.throttling(serviceError(500, "InternalError")));

        assertFalse(S3Failures.retryable(serviceError(403, "AccessDenied")));
        assertFalse(S3Failures.retryable(serviceError(403, "SignatureDoesNotMatch")));
        assertFalse(S3Failures.retryable(serviceError(404, "NoSuchKey")));
        assertFalse(S3Failures.retryable(serviceError(404, "NoSuchBucket")));
        assertFalse(S3Failures.retryable(serviceError(416, "InvalidRange")));
        assertFalse(S3Failures.retryable(serviceError(501, "NotImplemented")));
        assertFalse(S3Failures.retryable(clientError(new ConnectException("Connection refused"))));
        assertFalse(S3Failures.retryable(clientError(new UnknownHostException("nothing.invalid"))));
        assertFalse(S3Failures.retryable(clientError(new SocketTimeoutException("Read timed out"))));
    }

    @Test
    void representablePathsHaveNoEmptyDotOrDotDotSegments() {
        assertTrue(S3Origin.representable("Artist/Album/01 a.flac"));
        assertTrue(S3Origin.representable("..hidden/x"));
        assertFalse(S3Origin.representable(""));
        assertFalse(S3Origin.representable("/abs"));
        assertFalse(S3Origin.representable("a//b"));
        assertFalse(S3Origin.representable("a/../b"));
        assertFalse(S3Origin.representable("./a"));
        assertFalse(S3Origin.representable("dir/"));
    }

    @Test
    void etagsLoseTheirQuotes() {
        assertEquals("abc", S3Origin.stripQuotes("\"abc\""));
        assertEquals("abc-2", S3Origin.stripQuotes("W/\"abc-2\""));
        assertEquals("abc", S3Origin.stripQuotes("abc"));
        assertNull(S3Origin.stripQuotes(null));
        assertNull(S3Origin.stripQuotes("\"\""));
    }

    private IllegalArgumentException assertProperty(String property, Consumer<TestConfig> change) {
        TestConfig config = TestConfig.of("ok", "music");
        change.accept(config);
        // Activation as SCR does it: the settings, then the credentials, before any client exists.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.activate().deactivate(),
                "expected a complaint about " + property);
        assertTrue(e.getMessage().startsWith(property), e.getMessage());
        return e;
    }

    private static S3Exception serviceError(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("test").build()).build();
    }

    private static SdkClientException clientError(Throwable cause) {
        return SdkClientException.builder().message("Unable to execute HTTP request: " + cause.getMessage()).cause(cause).build();
    }
}
