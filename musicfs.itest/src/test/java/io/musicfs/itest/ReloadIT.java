package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.musicfs.testkit.corpus.AudioFormat;
import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.jupiter.api.Test;

/**
 * Live reload (resilience.md 3.6) in the real daemon: an origin added to the config file appears
 * in the mount without a remount (the file change alone triggers it; SIGHUP reloads too); a
 * broken config file is rejected with the message naming the mistake and the mount keeps serving
 * the running configuration; a changed mount point is reported as needing a restart.
 */
class ReloadIT extends TempMount {

    @Test
    void anAddedOriginAppearsWithoutARemountAndABrokenConfigIsRejected() throws Exception {
        Corpus one = CorpusGenerator.generate(tmp.resolve("one"), CorpusSpec.of(4).withHardCases(false).withFormats(AudioFormat.FLAC).withSeed(1));
        Corpus two = CorpusGenerator.generate(tmp.resolve("two"), CorpusSpec.of(4).withHardCases(false).withFormats(AudioFormat.FLAC).withSeed(2));
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        Path config = tmp.resolve("musicfs.conf");
        Files.writeString(config, String.join("\n", "mount = " + mountPoint, "cache = " + tmp.resolve("cache"), "",
                "[origin one]", "path = " + tmp.resolve("one"), ""));
        try (Daemon daemon = Daemon.start(List.of(), List.of("mount", "--config", config.toString()), Map.of())) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin one: sync finished"), 120);
                MountedTree.assertMatches(mountPoint, one.present());
                String mountId = mountId();

                append(config, "[origin two]", "path = " + tmp.resolve("two"));
                daemon.awaitLine(line -> line.contains("configuration reloaded (config file") && line.contains("added [two]"), 30);
                List<String> twoPaths = two.present().stream().map(TruthEntry::virtualPath).toList();
                MountedTree.await(mountPoint, seen -> seen.keySet().containsAll(twoPaths), 60, "the added origin's tracks appearing");
                MountedTree.assertBytes(mountPoint, two.present());

                daemon.signal("HUP");
                daemon.awaitLine(line -> line.contains("configuration reloaded (SIGHUP): origins [one, two]"), 30);
                assertEquals(mountId, mountId(), "the same mount: no remount");
                assertFalse(daemon.output().contains("remounted"), daemon.output());

                String good = Files.readString(config);
                append(config, "[origin three]", "type = nosuch", "path = " + tmp.resolve("one"));
                daemon.awaitLine(line -> line.contains("configuration reload (config file") && line.contains("rejected: ")
                        && line.contains("origin 'three' has unknown type 'nosuch'") && line.contains("the running configuration stays"), 30);
                daemon.signal("HUP");
                daemon.awaitLine(line -> line.contains("configuration reload (SIGHUP) rejected: ") && line.contains("unknown type 'nosuch'"), 30);
                List<TruthEntry> both = new ArrayList<>(one.present());
                both.addAll(two.present());
                MountedTree.assertMatches(mountPoint, both);

                Files.writeString(config, good.replace("mount = " + mountPoint, "mount = " + tmp.resolve("elsewhere")));
                daemon.awaitLine(line -> line.contains("mount point changed from") && line.contains("takes a restart"), 30);
                assertEquals(mountId, mountId(), "still the same mount");
                MountedTree.assertPaths(mountPoint, both);

                // an origin removed from the file: its tracks go, the other's stay
                Files.writeString(config, String.join("\n", "mount = " + mountPoint, "cache = " + tmp.resolve("cache"), "",
                        "[origin two]", "path = " + tmp.resolve("two"), ""));
                daemon.awaitLine(line -> line.contains("configuration reloaded (config file") && line.contains("removed [one]"), 30);
                List<String> onePaths = one.present().stream().map(TruthEntry::virtualPath).toList();
                MountedTree.await(mountPoint, seen -> onePaths.stream().noneMatch(seen::containsKey), 30, "the removed origin's tracks going");
                MountedTree.assertMatches(mountPoint, two.present());
                assertEquals(mountId, mountId(), "still the same mount");
                assertFalse(daemon.output().contains("the catalog went away"), "the catalog applies a reload without restarting");

                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(30), daemon.output());
            } finally {
                daemon.saveOutput("ReloadIT");
            }
        }
    }

    private static void append(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** The kernel's id of the mount at the mount point: a remount gets a new one. */
    private String mountId() throws IOException {
        String wanted = " " + mountPoint + " ";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(wanted)) {
                return line.substring(0, line.indexOf(' '));
            }
        }
        throw new AssertionError(mountPoint + " is not mounted");
    }
}
