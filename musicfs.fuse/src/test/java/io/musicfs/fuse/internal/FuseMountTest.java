package io.musicfs.fuse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.List;

import org.junit.jupiter.api.Test;

class FuseMountTest {

    static FuseMount.Config config(String mountPoint, boolean allowOther, int attrTimeout) {
        return new FuseMount.Config() {
            public Class<? extends Annotation> annotationType() { return FuseMount.Config.class; }
            public String mountPoint() { return mountPoint; }
            public boolean allowOther() { return allowOther; }
            public int attrTimeoutSeconds() { return attrTimeout; }
        };
    }

    @Test
    void mountsReadOnlyWithStableInodesAndPageCacheThatFollowsChanges() {
        List<String> options = FuseMount.mountOptions(config("/mnt", false, 5));
        assertEquals("-o", options.get(0));
        String opts = options.get(1);
        for (String required : new String[] {"ro", "use_ino", "auto_cache", "fsname=musicfs", "attr_timeout=5", "entry_timeout=5"}) {
            assertTrue(("," + opts + ",").contains("," + required + ","), opts);
        }
        assertTrue(!opts.contains("allow_other"));
        assertTrue(FuseMount.mountOptions(config("/mnt", true, 5)).get(1).contains(",allow_other"));
    }

    @Test
    void badConfigurationNamesTheProperty() {
        FuseMount mount = new FuseMount();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> mount.activate(config(" ", false, 5)))
                .getMessage().startsWith("mountPoint:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> mount.activate(config("/mnt", false, -1)))
                .getMessage().startsWith("attrTimeoutSeconds:"));
    }
}
