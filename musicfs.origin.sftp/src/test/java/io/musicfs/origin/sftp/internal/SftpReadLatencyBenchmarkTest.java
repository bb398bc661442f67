package io.musicfs.origin.sftp.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import io.musicfs.testkit.servers.SshdServer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time of one read of a whole small file through {@link SftpOrigin} against OpenSSH's sshd: open,
 * read and close of a track start, without FUSE or the cache around it. Shows what the origin and
 * MINA SSHD cost next to what the mounted daemon adds. Opt-in: {@code -Dmusicfs.bench=true}.
 */
class SftpReadLatencyBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void readLatency() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("musicfs.bench"), "set -Dmusicfs.bench=true to run the benchmark");
        Path music = Files.createDirectories(dir.resolve("music"));
        int files = 300;
        byte[] bytes = new byte[16 << 10];
        new Random(1).nextBytes(bytes);
        for (int i = 0; i < files; i++) {
            Files.write(music.resolve(i + ".flac"), bytes);
        }
        try (SshdServer server = SshdServer.start(dir.resolve("sshd"), "ed25519")) {
            Path knownHosts = server.writeKnownHosts(dir.resolve("known_hosts"));
            SftpOrigin origin = TestConfig.of("bench", server, knownHosts, music).activate();
            try {
                ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
                for (int round = 0; round < 8; round++) {
                    double[] ms = new double[files];
                    for (int i = 0; i < files; i++) {
                        dst.clear();
                        long t0 = System.nanoTime();
                        origin.read(i + ".flac", 0, dst);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    Arrays.sort(ms);
                    System.out.printf("bench: round %d: SftpOrigin.read of a 16 KiB file p50 %.2f p90 %.2f p99 %.2f max %.2f ms%n", round,
                            ms[files / 2], ms[files * 9 / 10], ms[files * 99 / 100], ms[files - 1]);
                }
            } finally {
                origin.deactivate();
            }
        }
    }
}
