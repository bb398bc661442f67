package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;
import io.musicfs.testkit.servers.S3ProxyServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A library in an S3 bucket (S3Proxy, a real S3 implementation, on loopback) mounted through the
 * real launcher: every path, size and byte equals the truth; a changed and a deleted object show
 * up after a poll; an endpoint where nothing answers leaves the mount up.
 */
class S3MountIT {

    static final String BUCKET = "music";
    static final String PREFIX = "library/";

    @TempDir
    Path tmp;
    Path mountPoint;
    S3ProxyServer server;
    S3Client s3;

    @BeforeEach
    void setUp() throws Exception {
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        server = S3ProxyServer.start(Files.createDirectories(tmp.resolve("s3proxy")));
        s3 = S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)    // as S3-compatible servers need (stack.md)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(server.identity(), server.credential())))
                .build();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.forceUnmount(mountPoint);
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Uploads a local library as the objects of the bucket, following links the way a local origin does. */
    private void upload(Path library) throws IOException {
        Files.walkFileTree(library, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    put(library.relativize(file).toString(), Files.readAllBytes(file));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // a broken link or a loop: not a file of the library
            }
        });
    }

    private void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(BUCKET).key(PREFIX + key), RequestBody.fromBytes(bytes));
    }

    private Daemon start(URI endpoint) throws IOException {
        return Daemon.start(List.of("mount", "--origin", "s3://" + BUCKET + "/" + PREFIX + "?endpoint=" + endpoint,
                "--poll-interval", "1", "--cache", tmp.resolve("cache").toString(), mountPoint.toString()),
                Map.of("AWS_ACCESS_KEY_ID", server.identity(), "AWS_SECRET_ACCESS_KEY", server.credential(), "AWS_REGION", "us-east-1"));
    }

    @Test
    void mountsABucketAndFollowsItsChanges() throws Exception {
        Path library = tmp.resolve("library");
        Corpus corpus = CorpusGenerator.generate(library, CorpusSpec.of(60));
        upload(library);
        List<TruthEntry> truth = corpus.present();
        try (Daemon daemon = start(server.endpoint())) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 300);
                MountedTree.assertMatches(mountPoint, truth);

                TruthEntry deleted = corpus.presentOf("bulk").get(0);
                TruthEntry changed = corpus.presentOf("bulk").get(1);
                TruthEntry other = corpus.presentOf("bulk").get(2);
                s3.deleteObject(b -> b.bucket(BUCKET).key(PREFIX + deleted.sourcePath()));
                put(changed.sourcePath(), Files.readAllBytes(library.resolve(other.sourcePath()))); // now it has other's tags
                String otherCopy = other.virtualPath().replaceFirst("(\\.[a-z0-9]+)$", " (2)$1");
                Map<String, MountedTree.Seen> seen = MountedTree.await(mountPoint, s -> !s.containsKey(deleted.virtualPath())
                        && !s.containsKey(changed.virtualPath()) && s.containsKey(otherCopy), 60, "a poll seeing the changes");
                assertEquals(truth.size() - 1, seen.size());
                assertEquals(other.sha256(), MountedTree.sha256(mountPoint.resolve(otherCopy)));
                assertEquals(other.sha256(), MountedTree.sha256(mountPoint.resolve(other.virtualPath())));
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("S3MountIT-changes");
            }
        }
    }

    @Test
    void anUnreachableEndpointLeavesTheMountUp() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        try (Daemon daemon = start(URI.create("http://127.0.0.1:" + deadPort))) {
            try {
                daemon.awaitServing();
                String failure = daemon.awaitLine(line -> line.contains("origin music: sync failed"), 120);
                assertTrue(failure.contains("127.0.0.1:" + deadPort), failure);
                assertTrue(Mounts.isMounted(mountPoint));
                assertEquals(Map.of(), MountedTree.list(mountPoint));
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
                assertTrue(!daemon.output().contains(server.credential()), "the secret never appears in the output");
            } finally {
                daemon.saveOutput("S3MountIT-unreachable");
            }
        }
    }
}
