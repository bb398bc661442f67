package io.musicfs.fuse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {

    @Test
    void unescapesMountinfoOctalEscapes() {
        assertEquals("/mnt/my music\tx\\y", MountTable.unescape("/mnt/my\\040music\\011x\\134y"));
        assertEquals("/plain", MountTable.unescape("/plain"));
    }

    @Test
    void findsWhatIsMountedAtAPath(@TempDir Path tmp) throws IOException {
        assertEquals("proc", MountTable.mountedType(Path.of("/proc")));
        assertNull(MountTable.mountedType(tmp));
    }
}
