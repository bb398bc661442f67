package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupTest {

    @TempDir
    Path tmp;

    @Test
    void missingOrWrongOriginFoldersAreNamed() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        StartupException e = assertThrows(StartupException.class, () -> StartupChecks.check(settings(tmp.resolve("gone")), tmp));
        assertEquals("origin 'music': folder ~/gone does not exist", e.getMessage());
        e = assertThrows(StartupException.class, () -> StartupChecks.check(settings(file), tmp));
        assertEquals("origin 'music': ~/file is not a folder", e.getMessage());
    }

    @Test
    void cacheThatCannotBeCreatedIsNamed() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        StartupException e = assertThrows(StartupException.class, () -> StartupChecks.checkCache(file.resolve("cache"), tmp));
        assertTrue(e.getMessage().startsWith("cache folder ~/file/cache cannot be created"), e.getMessage());
    }

    @Test
    void lockRecordsThePidAndIsReleasedOnClose() throws Exception {
        // The refusal of a second process is tested with two real daemons in MountEndToEndIT.
        try (InstanceLock first = InstanceLock.acquire(tmp)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(tmp.resolve(InstanceLock.FILE)));
        }
        try (InstanceLock again = InstanceLock.acquire(tmp)) {
            assertTrue(Files.exists(tmp.resolve(InstanceLock.FILE)));
        }
    }

    private Settings settings(Path origin) {
        return new Settings(tmp.resolve("mnt"), tmp.resolve("cache"),
                List.of(new OriginSpec("music", "local", 1, Map.of("path", origin.toString()))), Map.of(), false, null, null);
    }
}
