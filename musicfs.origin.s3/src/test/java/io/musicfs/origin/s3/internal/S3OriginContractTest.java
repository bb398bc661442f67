package io.musicfs.origin.s3.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.musicfs.api.origin.Origin;
import io.musicfs.testkit.origin.OriginContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The origin contract against a real S3 server (S3Proxy). Each test gets a fresh bucket with the
 * fixture under a prefix, next to keys the origin must not show: a directory marker and a key
 * outside the prefix.
 */
class S3OriginContractTest extends OriginContract {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    static Path serverDir;
    static S3Fixture s3;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3Fixture.start(serverDir);
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    protected Origin createOrigin(Path fixture) throws Exception {
        String bucket = "contract-" + BUCKETS.incrementAndGet();
        s3.createBucket(bucket);
        String prefix = "music/library/";
        // A directory marker, put first: S3Proxy's filesystem backend sometimes drops the connection
        // on a marker put over a folder that already has subfolders.
        s3.put(bucket, prefix + "Artist/", new byte[0]);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(fixture)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            String relative = fixture.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
            s3.put(bucket, prefix + relative, Files.readAllBytes(file));
        }
        // the prefix is a folder: a sibling whose name starts the same is not part of it
        s3.put(bucket, "music/library-extra/not-in-the-origin.flac", new byte[] {1, 2, 3});
        return s3.config("s3-contract", bucket).prefix("/music/library").activate();
    }

    @Override
    protected void closeOrigin(Origin origin) {
        ((S3Origin) origin).deactivate();
    }
}
