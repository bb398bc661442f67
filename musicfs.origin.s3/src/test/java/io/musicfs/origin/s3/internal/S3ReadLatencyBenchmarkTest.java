package io.musicfs.origin.s3.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time of one ranged read through {@link S3Origin} against S3Proxy, next to the same GET through a
 * bare SDK client: what the origin adds to a cold track start. Opt-in: {@code -Dmusicfs.bench=true}.
 */
class S3ReadLatencyBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void readLatency() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("musicfs.bench"), "set -Dmusicfs.bench=true to run the benchmark");
        try (S3Fixture s3 = S3Fixture.start(dir)) {
            s3.createBucket("bench");
            byte[] bytes = new byte[16 << 10];
            new Random(1).nextBytes(bytes);
            int objects = 300;
            for (int i = 0; i < objects; i++) {
                s3.put("bench", "t/" + i + ".flac", bytes);
            }
            S3Origin origin = s3.config("bench", "bench").activate();
            try {
                ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
                for (int round = 0; round < 5; round++) {
                    double[] ms = new double[objects];
                    double[] sdk = new double[objects];
                    for (int i = 0; i < objects; i++) {
                        dst.clear();
                        long t0 = System.nanoTime();
                        origin.read("t/" + i + ".flac", 0, dst);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                        String key = "t/" + i + ".flac";
                        long t1 = System.nanoTime();
                        s3.client.getObjectAsBytes(b -> b.bucket("bench").key(key).range("bytes=0-1048575"));
                        sdk[i] = (System.nanoTime() - t1) / 1e6;
                    }
                    Arrays.sort(ms);
                    Arrays.sort(sdk);
                    System.out.printf("bench: round %d: S3Origin.read p50 %.2f p90 %.2f p99 %.2f ms; bare SDK p50 %.2f p90 %.2f p99 %.2f ms%n",
                            round, ms[objects / 2], ms[objects * 9 / 10], ms[objects * 99 / 100], sdk[objects / 2], sdk[objects * 9 / 10],
                            sdk[objects * 99 / 100]);
                }
            } finally {
                origin.deactivate();
            }
        }
    }
}
