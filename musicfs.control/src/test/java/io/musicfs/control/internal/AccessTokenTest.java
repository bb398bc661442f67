package io.musicfs.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokenTest {

    @TempDir
    Path tmp;

    @Test
    void generatedOnceIntoAnOwnerOnlyFileAndKept() throws Exception {
        Path file = tmp.resolve("control.token");
        AccessToken first = AccessToken.load(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file).strip();
        assertEquals(64, text.length());
        assertTrue(first.matches(text));
        assertTrue(AccessToken.load(file).matches(text), "kept across restarts");
        assertFalse(first.matches(text.substring(1)));
        assertFalse(first.matches(null));
        assertFalse(first.toString().contains(text));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        AccessToken.load(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "made private again");
    }
}
