package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;
import io.musicfs.testkit.servers.SshdServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library on an SFTP server (OpenSSH's sshd on loopback, with its own host and user keys)
 * mounted through the real launcher: every path, size and byte equals the truth, a changed and a
 * deleted track show up after a poll, and a server with an unknown host key is refused with a
 * message that says how to accept it, while the mount stays up.
 */
class SftpMountIT {

    @TempDir
    Path tmp;
    Path mountPoint;
    Path library;
    SshdServer server;

    @BeforeEach
    void setUp() throws Exception {
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        library = tmp.resolve("library");
        server = SshdServer.start(Files.createDirectories(tmp.resolve("sshd")));
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.forceUnmount(mountPoint);
        if (server != null) {
            server.close();
        }
    }

    private Daemon start(Path knownHosts) throws Exception {
        String uri = "sftp://" + System.getProperty("user.name") + "@" + server.host() + ":" + server.port() + library
                + "?key=" + server.userKey() + "&known-hosts=" + knownHosts + "&id=nas";
        return Daemon.start(List.of("mount", "--origin", uri, "--poll-interval", "1", "--cache", tmp.resolve("cache").toString(),
                mountPoint.toString()));
    }

    @Test
    void mountsAnSftpLibraryAndFollowsItsChanges() throws Exception {
        Corpus corpus = CorpusGenerator.generate(library, CorpusSpec.of(60));
        List<TruthEntry> truth = corpus.present();
        try (Daemon daemon = start(server.writeKnownHosts(tmp.resolve("known_hosts")))) {
            try {
                daemon.awaitServing();
                daemon.awaitLine(line -> line.contains("origin nas: sync finished"), 300);
                MountedTree.assertMatches(mountPoint, truth);

                TruthEntry deleted = corpus.presentOf("bulk").get(0);
                TruthEntry changed = corpus.presentOf("bulk").get(1);
                TruthEntry other = corpus.presentOf("bulk").get(2);
                Files.delete(library.resolve(deleted.sourcePath()));
                Path changedFile = library.resolve(changed.sourcePath());
                Files.copy(library.resolve(other.sourcePath()), changedFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(changedFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
                String otherCopy = other.virtualPath().replaceFirst("(\\.[a-z0-9]+)$", " (2)$1");
                Map<String, MountedTree.Seen> seen = MountedTree.await(mountPoint, s -> !s.containsKey(deleted.virtualPath())
                        && !s.containsKey(changed.virtualPath()) && s.containsKey(otherCopy), 60, "a poll seeing the changes");
                assertEquals(truth.size() - 1, seen.size());
                assertEquals(other.sha256(), MountedTree.sha256(mountPoint.resolve(otherCopy)));
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("SftpMountIT-changes");
            }
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedWithHowToAcceptIt() throws Exception {
        Files.createDirectories(library);
        Path emptyKnownHosts = Files.writeString(tmp.resolve("known_hosts"), "");
        try (Daemon daemon = start(emptyKnownHosts)) {
            try {
                daemon.awaitServing();
                String failure = daemon.awaitLine(line -> line.contains("origin nas: sync failed"), 120);
                assertTrue(failure.contains("host key") && failure.contains("ssh-keyscan"), failure);
                assertTrue(Mounts.isMounted(mountPoint));
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(60), daemon.output());
            } finally {
                daemon.saveOutput("SftpMountIT-hostkey");
            }
        }
    }
}
