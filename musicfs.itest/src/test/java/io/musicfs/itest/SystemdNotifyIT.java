package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.musicfs.testkit.corpus.AudioFormat;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;

import org.junit.jupiter.api.Test;

/**
 * The daemon under a stand-in for systemd (resilience.md 2.10 / 3.1): a test socket bound as
 * {@code NOTIFY_SOCKET} receives READY=1, STATUS=, WATCHDOG=1 and STOPPING=1 in that order, and the
 * WATCHDOG=1 pings stop while the FUSE loop is stuck (the bridge's stall fault point holds every
 * FUSE operation while a file exists) and come back when it answers again.
 */
class SystemdNotifyIT extends TempMount {

    @Test
    void notifiesReadyStatusWatchdogAndStoppingAndHoldsTheWatchdogWhileFuseIsStuck() throws Exception {
        Path music = tmp.resolve("music");
        CorpusGenerator.generate(music, CorpusSpec.of(6).withHardCases(false).withFormats(AudioFormat.FLAC));
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        Path stall = tmp.resolve("stall-fuse");
        Path socketPath = tmp.resolve("notify.sock");
        List<String> args = List.of("mount", "--origin", music.toString(), "--cache", tmp.resolve("cache").toString(), mountPoint.toString());
        try (NotifySocket socket = new NotifySocket(socketPath);
                Daemon daemon = Daemon.start(List.of("-Dmusicfs.fault.fuse.stallWhile=" + stall), args,
                        Map.of("NOTIFY_SOCKET", socketPath.toString(), "WATCHDOG_USEC", "1000000"))) {
            try {
                daemon.awaitServing();
                String ready = socket.await(m -> m.lines().anyMatch("READY=1"::equals), 0, 30);
                int readyIndex = socket.messages().indexOf(ready);
                assertTrue(ready.lines().anyMatch(l -> l.startsWith("STATUS=serving ")), "READY=1 comes with a STATUS line: " + ready);
                socket.await(m -> m.lines().anyMatch("WATCHDOG=1"::equals), readyIndex + 1, 10);
                assertTrue(socket.messages().subList(0, readyIndex).stream().noneMatch(m -> m.contains("WATCHDOG=1")),
                        "no watchdog ping before READY=1: " + socket.messages());

                // The FUSE loop stops answering: the pings stop.
                Files.createFile(stall);
                daemon.awaitLine(line -> line.contains("systemd watchdog not pinged: the FUSE loop did not answer"), 10);
                long pings = socket.count("WATCHDOG=1");
                long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < quietUntil) {
                    assertEquals(pings, socket.count("WATCHDOG=1"), "no WATCHDOG=1 while the FUSE loop is stuck: " + socket.messages());
                    Thread.sleep(100); // watching for pings during a 3 s window (six ping intervals)
                }
                assertTrue(socket.messages().stream().anyMatch(m -> m.contains("STATUS=") && m.contains("watchdog held")),
                        "the status line says why: " + socket.messages());

                // It answers again: the pings come back.
                int before = socket.messages().size();
                Files.delete(stall);
                socket.await(m -> m.lines().anyMatch("WATCHDOG=1"::equals), before, 10);

                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(30), daemon.output());
                String stopping = socket.await(m -> m.lines().anyMatch("STOPPING=1"::equals), 0, 5);
                assertTrue(socket.messages().indexOf(stopping) > readyIndex, "STOPPING=1 after READY=1: " + socket.messages());
            } finally {
                daemon.saveOutput("SystemdNotifyIT");
            }
        }
    }
}
