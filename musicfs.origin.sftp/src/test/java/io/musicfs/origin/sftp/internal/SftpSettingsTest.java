package io.musicfs.origin.sftp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration validation and defaults, without a server. */
class SftpSettingsTest {

    @TempDir
    Path home;

    @BeforeEach
    void defaultKeys() throws IOException {
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "rsa");
        Files.writeString(home.resolve(".ssh/id_ed25519"), "ed25519");
    }

    private TestConfig minimal() {
        return new TestConfig().set("origin_id", "box").set("host", "nas.local").set("path", "/srv/music/");
    }

    private SftpSettings settings(TestConfig config) {
        return SftpSettings.from(config.build(), home, "alice");
    }

    @Test
    void defaultsAreTheOnesSshUses() {
        SftpSettings settings = settings(minimal());
        assertEquals(22, settings.port());
        assertEquals("alice", settings.user(), "the user running MusicFS");
        assertEquals("/srv/music", settings.root());
        assertEquals(List.of(home.resolve(".ssh/id_ed25519"), home.resolve(".ssh/id_rsa")), settings.privateKeyFiles(),
                "the default keys that exist, in ssh's order");
        assertTrue(settings.defaultKeys());
        assertEquals(home.resolve(".ssh/known_hosts"), settings.knownHostsFile());
        assertEquals(null, settings.passphraseFile());
        assertEquals(10, settings.priority());
        assertEquals(4, settings.maxSessions());
        assertEquals(Duration.ofSeconds(60), settings.idleClose());
        assertEquals(Duration.ofSeconds(15), settings.keepAlive());
        assertEquals(Duration.ofSeconds(10), settings.connectTimeout());
        assertEquals(Duration.ofSeconds(30), settings.readTimeout());
        assertEquals("origin box (sftp alice@nas.local:22)", settings.where());
        assertEquals("/srv/music/a/b.flac", settings.remote("a/b.flac"));
    }

    @Test
    void givenValuesWin() {
        SftpSettings settings = settings(minimal().set("user", "bob").set("port", 2222).set("path", "//")
                .set("privateKeyFile", new String[] {"/keys/one", "/keys/two"}).set("knownHostsFile", "/etc/ssh/ssh_known_hosts")
                .set("passphraseFile", "/keys/pass").set("host", "[::1]"));
        assertEquals("bob", settings.user());
        assertEquals("/", settings.root());
        assertEquals("/a.flac", settings.remote("a.flac"));
        assertEquals(List.of(Path.of("/keys/one"), Path.of("/keys/two")), settings.privateKeyFiles());
        assertEquals(false, settings.defaultKeys());
        assertEquals(Path.of("/keys/pass"), settings.passphraseFile());
        assertEquals("::1", settings.host());
        assertEquals("bob@[::1]:2222", settings.target());
    }

    @Test
    void badValuesNameTheProperty() {
        assertProperty("origin.id", minimal().set("origin_id", "bad id"));
        assertProperty("host", minimal().set("host", " "));
        assertProperty("host", minimal().set("host", "me@nas"));
        assertProperty("port", minimal().set("port", 0));
        assertProperty("port", minimal().set("port", 70000));
        assertProperty("user", minimal().set("user", "two words"));
        assertProperty("path", minimal().set("path", ""));
        assertProperty("path", minimal().set("path", "music"));
        assertProperty("path", minimal().set("path", "/srv/../etc"));
        assertProperty("privateKeyFile", minimal().set("privateKeyFile", new String[] {"relative/key"}));
        assertProperty("passphraseFile", minimal().set("passphraseFile", "pass.txt"));
        assertProperty("knownHostsFile", minimal().set("knownHostsFile", "~/.ssh/known_hosts"));
        assertProperty("maxSessions", minimal().set("maxSessions", 0));
        assertProperty("maxSessions", minimal().set("maxSessions", 65));
        assertProperty("idleCloseSeconds", minimal().set("idleCloseSeconds", 0));
        assertProperty("keepAliveSeconds", minimal().set("keepAliveSeconds", -1));
        assertProperty("connectTimeoutSeconds", minimal().set("connectTimeoutSeconds", 0));
        assertProperty("readTimeoutSeconds", minimal().set("readTimeoutSeconds", 0));
    }

    @Test
    void noKeyAtAllNamesThePrivateKeyFileProperty() throws IOException {
        Files.delete(home.resolve(".ssh/id_rsa"));
        Files.delete(home.resolve(".ssh/id_ed25519"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(minimal()));
        assertTrue(e.getMessage().startsWith("privateKeyFile:") && e.getMessage().contains("id_ecdsa"), e.getMessage());
    }

    private void assertProperty(String property, TestConfig config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(config), property);
        assertTrue(e.getMessage().startsWith(property + ":"), e.getMessage());
    }
}
