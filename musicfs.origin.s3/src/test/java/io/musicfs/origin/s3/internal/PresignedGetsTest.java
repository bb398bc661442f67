package io.musicfs.origin.s3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Direct SigV4 signing of reads against the SDK's presigner: the same URLs, or the presigner's. */
class PresignedGetsTest {

    private static final AwsCredentialsProvider BASIC = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIDPRESIGNTEST", "presignTestSecret/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    private static final AwsCredentialsProvider SESSION = StaticCredentialsProvider.create(
            AwsSessionCredentials.create("ASIAPRESIGNTEST", "presignTestSecret/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "token/with+odd=chars"));

    /** Keys a music library holds: spaces, unicode (composed and not), reserved URL characters, deep and odd paths. */
    private static final List<String> KEYS = List.of(
            "Artist/Album (2001)/01 - Title.flac",
            "Björk/Homogenic/01 - Hunter.flac",
            "Sigur Ro\u0301s/( )/01 - Untitled #1.flac",
            "AC/DC/Who Made Who/01 - Who Made Who.mp3",
            "プリンセス プリンセス/LOVERS/01 - Diamonds.m4a",
            "odd/100% & more + less = ?/x;y,z'!*~@$.ogg",
            "odd/[brackets] {braces} <angle> |pipe| \"quotes\" `tick`^.flac",
            "odd/tab\tand\u00a0nbsp.flac",
            "odd//double slash/./dot/../dotdot.flac",
            "/leading slash.flac",
            "music/emoji 🎵.opus");

    private static S3Presigner presigner(AwsCredentialsProvider credentials, String region, String endpoint, boolean pathStyle) {
        S3Presigner.Builder b = S3Presigner.builder().credentialsProvider(credentials).region(Region.of(region))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            b.endpointOverride(URI.create(endpoint));
        }
        return b.build();
    }

    private static URL presigned(S3Presigner p, String bucket, String key) {
        return p.presignGetObject(r -> r.signatureDuration(PresignedGets.VALIDITY).getObjectRequest(g -> g.bucket(bucket).key(key))).url();
    }

    @Test
    void aDirectSignatureIsThePresignersUrlForEveryKindOfKeyAndAddress() {
        record Setup(String name, AwsCredentialsProvider credentials, String region, String endpoint, boolean pathStyle) {
        }
        for (Setup setup : List.of(
                new Setup("path style, own port", BASIC, "us-east-1", "http://127.0.0.1:9000", true),
                new Setup("path style, session token", SESSION, "eu-central-1", "https://minio.example.net", true),
                new Setup("virtual host, AWS", BASIC, "eu-west-1", null, false),
                new Setup("virtual host, AWS, session token", SESSION, "us-west-2", null, false),
                new Setup("virtual host, own endpoint", BASIC, "us-east-1", "https://s3.example.org:8443", false))) {
            try (S3Presigner p = presigner(setup.credentials(), setup.region(), setup.endpoint(), setup.pathStyle())) {
                PresignedGets.Direct direct = PresignedGets.Direct.learn(KEYS.get(0), presigned(p, "music-bucket", KEYS.get(0)));
                for (String key : KEYS) {
                    URL expected = presigned(p, "music-bucket", key);
                    Clock at = Clock.fixed(PresignedGets.signedAt(expected), ZoneOffset.UTC);
                    assertEquals(expected.toString(), direct.sign(key, setup.credentials(), setup.region(), at).toString(),
                            setup.name() + ": " + key);
                }
            }
        }
    }

    @Test
    void theFirstUrlComesFromThePresignerAndTheRestAreSignedDirectly() {
        try (PresignedGets gets = new PresignedGets("direct", presigner(BASIC, "us-east-1", "http://127.0.0.1:9000", true),
                "bucket", BASIC, "us-east-1")) {
            PresignedGets.Signed first = gets.get("a.flac");
            assertFalse(first.direct());
            PresignedGets.Signed second = gets.get("b.flac");
            assertTrue(second.direct() && second.fresh());
            assertTrue(second.url().toString().startsWith("http://127.0.0.1:9000/bucket/b.flac?X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
                    "addressed like the presigner's");
            assertEquals(2, gets.signatures.get());
            assertEquals(1, gets.presignerSignatures.get());
            assertTrue(gets.get("b.flac").direct() && !gets.get("b.flac").fresh(), "cached like any other");

            // The server refused a directly signed URL and granted the presigner's: the presigner from now on.
            PresignedGets.Signed fallback = gets.fromPresigner("c.flac");
            assertFalse(fallback.direct());
            gets.directRefused();
            assertFalse(gets.get("d.flac").direct());
            assertFalse(gets.get("b.flac").direct(), "directly signed URLs are no longer reused");
            assertEquals(4, gets.presignerSignatures.get());
        }
    }

    @Test
    void aDirectSignerThatWouldSignOtherwiseIsNeverUsed() {
        // The origin's region differs from the one the presigner signs for: the direct URL would differ.
        try (PresignedGets gets = new PresignedGets("mismatch", presigner(BASIC, "us-east-1", "http://127.0.0.1:9000", true),
                "bucket", BASIC, "eu-west-1")) {
            for (String key : List.of("a.flac", "b.flac", "c.flac")) {
                assertFalse(gets.get(key).direct(), key);
            }
            assertEquals(3, gets.presignerSignatures.get());
        }
    }
}
