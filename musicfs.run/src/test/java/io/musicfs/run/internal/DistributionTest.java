package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The files shipped in dist/ for installing MusicFS as a service. */
class DistributionTest {

    private static final Path DIST = Path.of("dist");

    /**
     * {@code systemd-analyze verify} parses the unit, checks every directive and that the
     * programs it runs (java, fusermount, kill) exist; it does not check that the musicfs user or
     * /opt/musicfs exist (they are made at install time). The Debian package {@code systemd}
     * provides it (test.sh installs it).
     */
    @Test
    void unitFilePassesSystemdAnalyzeVerify() throws Exception {
        Process verify = new ProcessBuilder("systemd-analyze", "verify", DIST.resolve("musicfs.service").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify did not finish");
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, verify.exitValue(), output);
        assertEquals("", output.strip(), "systemd-analyze verify complains");
    }

    @Test
    void unitFileHasTheRequiredSettings() throws Exception {
        String unit = Files.readString(DIST.resolve("musicfs.service"));
        for (String required : List.of("Type=notify", "WatchdogSec=", "Restart=on-failure", "StartLimitBurst=", "User=musicfs",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=", "LimitNOFILE=", "MemoryMax=", "TasksMax=",
                "ExecStopPost=-/usr/bin/fusermount -uz /srv/music", "ExecReload=/bin/kill -HUP $MAINPID")) {
            assertTrue(unit.contains(required), "musicfs.service lacks " + required);
        }
    }

    @Test
    void exampleConfigIsValid() throws Exception {
        ConfigFile.Contents contents = ConfigFile.read(DIST.resolve("musicfs.conf"), Path.of("/home/nobody"));
        assertEquals("/srv/music", contents.mount());
        assertEquals(List.of("nas", "bucket", "backup"), contents.origins().stream().map(OriginSpec::id).toList());
        assertEquals(10, contents.drainTimeoutSeconds());
        assertEquals("info", contents.logLevel());
    }
}
