package io.musicfs.origin.sftp.internal;

import io.musicfs.testkit.servers.SshdServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading private keys: passphrases, file permissions, default keys. No secret in any message. */
class UserKeysTest {

    static final String PASSPHRASE = "correct horse battery";

    @TempDir
    Path dir;

    private Path key(String name, String type, String passphrase) throws IOException, InterruptedException {
        Path file = dir.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-f", file.toString())
                .redirectErrorStream(true).start();
        keygen.getInputStream().readAllBytes();
        assertTrue(keygen.waitFor(30, TimeUnit.SECONDS) && keygen.exitValue() == 0, "ssh-keygen");
        return file;
    }

    private Path privateFile(String name, String content) throws IOException {
        Path file = Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static SftpSettings settings(List<Path> keys, boolean defaultKeys, Path passphraseFile) {
        return new SftpSettings("box", 10, "nas", 22, "alice", "/music", keys, defaultKeys, passphraseFile,
                Path.of("/nonexistent/known_hosts"), 4, Duration.ofSeconds(60), Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    @Test
    void anEncryptedKeyOpensWithThePassphraseFileOrTheEnvironment() throws Exception {
        Path key = key("id_ed25519", "ed25519", PASSPHRASE);
        Path pass = privateFile("pass", PASSPHRASE + "\n");

        UserKeys.Loaded fromFile = UserKeys.load(settings(List.of(key), false, pass), Map.<String, String>of()::get);
        assertEquals(1, fromFile.identities().size());
        assertEquals("EdDSA", fromFile.identities().get(0).keyPair().getPublic().getAlgorithm());
        assertTrue(fromFile.identities().get(0).describe().contains(SshdServer.fingerprint(SshdServer.pub(key))));
        assertEquals(List.of(), fromFile.warnings());

        UserKeys.Loaded fromEnv = UserKeys.load(settings(List.of(key), false, null), Map.of(UserKeys.PASSPHRASE_ENV, PASSPHRASE)::get);
        assertEquals(1, fromEnv.identities().size());
    }

    @Test
    void aMissingOrWrongPassphraseNamesThePropertyButNotThePassphrase() throws Exception {
        Path key = key("id_ecdsa", "ecdsa", PASSPHRASE);

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> UserKeys.load(settings(List.of(key), false, null), name -> null));
        assertTrue(none.getMessage().startsWith("privateKeyFile:") && none.getMessage().contains("encrypted")
                && none.getMessage().contains(UserKeys.PASSPHRASE_ENV), none.getMessage());

        Path wrong = privateFile("wrong", "not the passphrase");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> UserKeys.load(settings(List.of(key), false, wrong), name -> null));
        assertTrue(bad.getMessage().startsWith("passphraseFile:") && bad.getMessage().contains(key.toString()), bad.getMessage());
        assertFalse(bad.getMessage().contains("not the passphrase"), bad.getMessage());

        IllegalArgumentException badEnv = assertThrows(IllegalArgumentException.class,
                () -> UserKeys.load(settings(List.of(key), false, null), Map.of(UserKeys.PASSPHRASE_ENV, "s3cr3t-guess")::get));
        assertTrue(badEnv.getMessage().contains(UserKeys.PASSPHRASE_ENV) && !badEnv.getMessage().contains("s3cr3t-guess"), badEnv.getMessage());
    }

    @Test
    void keyAndPassphraseFilesOthersCanReadAreWarnedAboutOnceEach() throws Exception {
        Path key = key("id_ed25519", "ed25519", PASSPHRASE);
        Path pass = privateFile("pass", PASSPHRASE);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r-----"));

        UserKeys.Loaded loaded = UserKeys.load(settings(List.of(key), false, pass), name -> null);

        assertEquals(2, loaded.warnings().size(), loaded.warnings().toString());
        assertTrue(loaded.warnings().get(0).contains("passphrase file " + pass) && loaded.warnings().get(0).contains("chmod 600"),
                loaded.warnings().toString());
        assertTrue(loaded.warnings().get(1).contains("private key file " + key), loaded.warnings().toString());
        assertFalse(loaded.warnings().toString().contains(PASSPHRASE));
    }

    @Test
    void unusableDefaultKeysAreSkippedButConfiguredOnesMustLoad() throws Exception {
        Path encrypted = key("id_ed25519", "ed25519", PASSPHRASE);
        Path plain = key("id_ecdsa", "ecdsa", "");
        Path garbage = privateFile("id_rsa", "not a key");

        UserKeys.Loaded loaded = UserKeys.load(settings(List.of(encrypted, plain, garbage), true, null), name -> null);
        assertEquals(List.of(plain), loaded.identities().stream().map(UserKeys.Identity::file).toList());
        assertEquals(2, loaded.warnings().size(), loaded.warnings().toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UserKeys.load(settings(List.of(plain, garbage), false, null), name -> null));
        assertTrue(e.getMessage().startsWith("privateKeyFile:") && e.getMessage().contains(garbage.toString()), e.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> UserKeys.load(settings(List.of(dir.resolve("nope")), false, null), name -> null));
        assertTrue(missing.getMessage().startsWith("privateKeyFile:") && missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
