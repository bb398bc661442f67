package io.musicfs.origin.s3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.profiles.ProfileProperty;

/** Rotated keys apply without a restart; a broken rotation keeps the keys that worked. */
class CredentialsFileTest {

    @TempDir
    Path dir;

    @Test
    void aChangedFileIsReadAgainAndABrokenChangeKeepsTheLastGoodOne() throws IOException {
        Path file = write("first-key", "first-secret-value", 1_000_000);
        CredentialsFile credentials = new CredentialsFile("rotating", file, 0);
        assertEquals("first-key", keyId(credentials));
        assertEquals("first-key", keyId(credentials), "unchanged file, same keys");

        write("second-key", "second-secret-value", 2_000_000);
        assertEquals("second-key", keyId(credentials));

        List<String> warnings;
        try (LogCapture capture = new LogCapture()) {
            Files.writeString(file, "aws_access_key_id = broken-secret-line\n");
            Files.setLastModifiedTime(file, FileTime.fromMillis(3_000_000));
            assertEquals("second-key", keyId(credentials));
            assertEquals("second-key", keyId(credentials));
            warnings = capture.lines().stream().filter(line -> line.contains("WARN")).toList();
        }
        assertEquals(1, warnings.size(), "one warning per change: " + warnings);
        assertTrue(warnings.get(0).contains("origin rotating") && warnings.get(0).contains(file.toString()), warnings.get(0));
        assertFalse(warnings.get(0).contains("broken-secret-line"), warnings.get(0));
    }

    @Test
    void anUnparseableFileIsAConfigurationErrorWithoutItsContent() throws IOException {
        Path file = Files.writeString(dir.resolve("garbage"), "aws_secret_access_key = do-not-print-me\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CredentialsFile("x", file, 0));
        assertTrue(e.getMessage().startsWith("credentialsFile: ") && !e.getMessage().contains("do-not-print-me"), e.getMessage());
    }

    private Path write(String keyId, String secret, long mtimeMillis) throws IOException {
        Path file = dir.resolve("credentials");
        Files.writeString(file, "[default]\naws_access_key_id = " + keyId + "\naws_secret_access_key = " + secret + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMillis));
        return file;
    }

    private static String keyId(CredentialsFile credentials) {
        return credentials.get().profile("default").orElseThrow().property(ProfileProperty.AWS_ACCESS_KEY_ID).orElseThrow();
    }
}
