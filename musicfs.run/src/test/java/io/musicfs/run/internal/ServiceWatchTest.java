package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.musicfs.api.library.Library;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.api.supervision.TaskStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog's verdict beyond the FUSE probe (which the process-level SystemdNotifyIT covers
 * through a real mount): a failed critical task or an unreadable tree holds the ping, and the
 * status line says what failed. The "mount" here is a plain folder, so the lookup answers.
 */
class ServiceWatchTest {

    @TempDir
    Path folder;

    private final List<TaskStatus> tasks = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(ServiceWatchTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> answers.get(method.getName()));
    }

    private ServiceWatch watch(Library library) {
        Mount mount = fake(Mount.class, Map.of("state", Mount.State.MOUNTED, "mountPoint", folder));
        Supervisor supervisor = fake(Supervisor.class, Map.of("tasks", tasks));
        return new ServiceWatch(mount, () -> library, () -> null, () -> supervisor, SystemdNotifier.fromEnvironment(Map.of()), 1_000_000,
                reason -> { });
    }

    private static Library library(int tracks) {
        TreeSnapshot tree = fake(TreeSnapshot.class, Map.of("trackCount", tracks));
        return fake(Library.class, Map.of("tree", tree, "syncStates", List.of()));
    }

    @Test
    void pingsWhenAllIsWellAndHoldsWhileACriticalTaskHasFailed() throws Exception {
        ServiceWatch watch = watch(library(12));
        assertNull(watch.problem());
        assertEquals("serving 12 tracks; origins 0", watch.status(null));

        tasks.add(new TaskStatus("poll of origin nas", TaskStatus.Kind.TASK, TaskStatus.State.RESTARTING, 1, "boom", Instant.now()));
        assertNull(watch.problem(), "a task being restarted does not hold the watchdog");

        tasks.set(0, new TaskStatus("poll of origin nas", TaskStatus.Kind.TASK, TaskStatus.State.FAILED, 5, "boom", Instant.now()));
        assertEquals("critical tasks failed: poll of origin nas", watch.problem());
        String status = watch.status(watch.problem());
        assertTrue(status.contains("FAILED: task poll of origin nas"), status);
        assertTrue(status.contains("watchdog held: critical tasks failed"), status);
    }

    @Test
    void holdsWhenTheTreeCannotBeRead() throws Exception {
        assertEquals("the catalog's tree cannot be read", watch(null).problem());
    }
}
