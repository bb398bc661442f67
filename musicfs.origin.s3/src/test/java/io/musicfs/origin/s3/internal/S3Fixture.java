package io.musicfs.origin.s3.internal;

import io.musicfs.testkit.servers.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3Proxy server, an SDK client that uploads fixtures to it, and a credentials file (mode 600)
 * for origins to use. One per test class.
 */
final class S3Fixture implements AutoCloseable {

    final S3ProxyServer server;
    final S3Client client;
    final Path credentialsFile;
    private final Path dir;

    private S3Fixture(S3ProxyServer server, Path dir) throws IOException {
        this.server = server;
        this.dir = dir;
        this.client = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(server.endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(server.identity(), server.credential())))
                .build();
        this.credentialsFile = credentials("good", server.identity(), server.credential());
    }

    static S3Fixture start(Path dir) throws IOException {
        return new S3Fixture(S3ProxyServer.start(dir), dir);
    }

    /** Writes a shared-credentials file with one [default] profile, readable by its owner only. */
    Path credentials(String name, String keyId, String secret) throws IOException {
        Path file = dir.resolve("credentials-" + name);
        Files.writeString(file, "[default]\naws_access_key_id = " + keyId + "\naws_secret_access_key = " + secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    void put(String bucket, String key, byte[] bytes) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    void delete(String bucket, String key) {
        client.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /** A configuration for an origin on this server's bucket, with the good credentials. */
    TestConfig config(String id, String bucket) {
        return TestConfig.of(id, bucket).endpoint(server.endpoint()).credentials(credentialsFile);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
