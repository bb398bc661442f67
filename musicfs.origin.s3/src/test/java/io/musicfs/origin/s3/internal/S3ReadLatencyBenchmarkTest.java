package io.musicfs.origin.s3.internal;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Time of one ranged read through {@link S3Origin} against S3Proxy, next to the same GET as a bare
 * {@code HttpURLConnection} on a presigned URL (what the server and the JDK alone need: the floor)
 * and through a bare SDK client: what the origin adds to a cold track start. Opt-in:
 * {@code -Dmusicfs.bench=true}.
 *
 * <p>Round 0 is the young-JVM figure: the objects are written straight into S3Proxy's data
 * directory, so no SDK code has run before the origin's first read, and each round reads through
 * the origin first. Besides wall time it reports CPU per read: of the reading thread, and of the
 * whole test JVM (which includes the JIT compiler and GC threads, not S3Proxy, a child process).
 */
class S3ReadLatencyBenchmarkTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @TempDir
    Path dir;

    @Test
    void readLatency() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("musicfs.bench"), "set -Dmusicfs.bench=true to run the benchmark");
        try (S3Fixture s3 = S3Fixture.start(dir)) {
            byte[] bytes = new byte[16 << 10];
            new Random(1).nextBytes(bytes);
            int objects = 300;
            Path bucket = Files.createDirectories(s3.server.dataDir().resolve("bench").resolve("t"));
            for (int i = 0; i < objects; i++) {
                Files.write(bucket.resolve(i + ".flac"), bytes);
            }
            byte[] big = new byte[1 << 20];
            new Random(2).nextBytes(big);
            Files.write(bucket.resolve("big.flac"), big);
            S3Origin origin = s3.config("bench", "bench").activate();
            try (S3Presigner presigner = S3Presigner.builder().endpointOverride(s3.server.endpoint()).region(Region.US_EAST_1)
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.server.identity(),
                            s3.server.credential())))
                    .build()) {
                ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
                byte[] sink = new byte[1 << 20];
                for (int round = 0; round < 5; round++) {
                    double[] ms = new double[objects];
                    long thread0 = THREADS.getCurrentThreadCpuTime();
                    long process0 = OS.getProcessCpuTime();
                    for (int i = 0; i < objects; i++) {
                        dst.clear();
                        long t0 = System.nanoTime();
                        origin.read("t/" + i + ".flac", 0, dst);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    double threadCpu = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e6 / objects;
                    double processCpu = (OS.getProcessCpuTime() - process0) / 1e6 / objects;

                    URL[] urls = new URL[objects];
                    for (int i = 0; i < objects; i++) {
                        String key = "t/" + i + ".flac";
                        urls[i] = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(10))
                                .getObjectRequest(g -> g.bucket("bench").key(key))).url();
                    }
                    double[] raw = new double[objects];
                    for (int i = 0; i < objects; i++) {
                        long t1 = System.nanoTime();
                        HttpURLConnection connection = (HttpURLConnection) urls[i].openConnection();
                        connection.setRequestProperty("Range", "bytes=0-1048575");
                        try (InputStream in = connection.getInputStream()) {
                            while (in.read(sink) >= 0) {
                                // drain, so the connection goes back to the keep-alive cache
                            }
                        }
                        raw[i] = (System.nanoTime() - t1) / 1e6;
                    }

                    double[] sdk = new double[objects];
                    for (int i = 0; i < objects; i++) {
                        String key = "t/" + i + ".flac";
                        long t2 = System.nanoTime();
                        s3.client.getObjectAsBytes(b -> b.bucket("bench").key(key).range("bytes=0-1048575"));
                        sdk[i] = (System.nanoTime() - t2) / 1e6;
                    }
                    System.out.printf("bench: round %d: S3Origin.read %s (cpu/read: thread %.2f, process %.2f ms);"
                            + " bare HttpURLConnection %s; bare SDK %s%n", round, percentiles(ms), threadCpu, processCpu,
                            percentiles(raw), percentiles(sdk));
                }

                // One track start of a bigger block: 1 MiB ranged reads of a 1 MiB object.
                int reads = 50;
                double[] ms = new double[reads];
                for (int i = 0; i < reads; i++) {
                    dst.clear();
                    long t0 = System.nanoTime();
                    origin.read("t/big.flac", 0, dst);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                System.out.printf("bench: 1 MiB: S3Origin.read %s%n", percentiles(ms));
            } finally {
                origin.deactivate();
            }
        }
    }

    private static String percentiles(double[] ms) {
        Arrays.sort(ms);
        int n = ms.length;
        return String.format("p50 %.2f p90 %.2f p99 %.2f ms", ms[n / 2], ms[n * 9 / 10], ms[n * 99 / 100]);
    }
}
