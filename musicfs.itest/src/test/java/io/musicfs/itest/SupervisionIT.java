package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.musicfs.testkit.corpus.AudioFormat;
import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;

import org.junit.jupiter.api.Test;

/**
 * Nothing fails silently (resilience.md 2.2, 2.6), in the real daemon: the catalog component is
 * made to throw in every activation during its first 3 s and the resource watch task in its first two runs
 * (fault points); both are logged with what failed and restarted per policy (at once, then after
 * 1 s, ...), they show in {@code ./musicfs status}, and the mount serves the right bytes. The FAILED state after the last restart is covered by
 * TaskSupervisorTest with short delays.
 */
class SupervisionIT extends TempMount {

    @Test
    void aComponentThatFailsToActivateAndATaskThatThrowsAreLoggedAndRestartedPerPolicy() throws Exception {
        Path music = tmp.resolve("music");
        Corpus corpus = CorpusGenerator.generate(music, CorpusSpec.of(6).withHardCases(false).withFormats(AudioFormat.FLAC));
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        List<String> args = List.of("mount", "--origin", music.toString(), "--cache", tmp.resolve("cache").toString(), mountPoint.toString());
        List<String> faults = List.of("-Dmusicfs.fault.catalog.failActivationsForMillis=3000", "-Dmusicfs.fault.supervisor.failTask=resource watch:2");
        try (Daemon daemon = Daemon.start(faults, args, Map.of())) {
            try {
                String component = "component io.musicfs.catalog.internal.LibraryCatalog of bundle musicfs.catalog failed to activate";
                daemon.awaitLine(line -> line.contains(component + "; restart 1 of 5 in 0 ms")
                        && line.contains("fault point musicfs.fault.catalog.failActivationsForMillis"), 60);
                // every activation in the first 3 s fails; the supervisor restarts it at once, after 1 s, after 5 s
                daemon.awaitLine(line -> line.contains("component io.musicfs.catalog.internal.LibraryCatalog is active again after "), 30);
                daemon.awaitServing();

                String task = "task 'resource watch' failed: IllegalStateException: fault point musicfs.fault.supervisor.failTask";
                daemon.awaitLine(line -> line.contains(task + "; restart 1 of 5 in 0 ms"), 30);
                daemon.awaitLine(line -> line.contains(task + "; restart 2 of 5 in 1000 ms"), 30);

                daemon.awaitLine(line -> line.contains("origin music: sync finished"), 120);
                MountedTree.assertMatches(mountPoint, corpus.present());

                // the operator sees both in ./musicfs status
                daemon.awaitLine(line -> line.contains("control API listening at"), 60);
                ControlIT.Cli status = ControlIT.cliFor(tmp.resolve("cache"), "status");
                assertEquals(0, status.exit(), status.output());
                assertTrue(status.output().contains("task 'resource watch': running, 2 restarts, last error: IllegalStateException: fault point"),
                        status.output());
                assertTrue(daemon.output().lines().noneMatch(line -> line.contains("task 'resource watch' failed again")),
                        "the task runs after its second restart");
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(30), daemon.output());
            } finally {
                daemon.saveOutput("SupervisionIT");
            }
        }
    }
}
