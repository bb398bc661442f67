package io.musicfs.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.musicfs.testkit.corpus.AudioFormat;
import io.musicfs.testkit.corpus.Corpus;
import io.musicfs.testkit.corpus.CorpusGenerator;
import io.musicfs.testkit.corpus.CorpusSpec;
import io.musicfs.testkit.corpus.TruthEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The daemon's life and death as an operator sees it (resilience.md 2.1, 2.3, 2.7, 3.4, 5.3): the
 * real daemon serving 20 readers through a real mount is stopped by SIGTERM or SIGINT, by a
 * second signal in the middle of the drain, killed with SIGKILL and started again, has its FUSE
 * session taken away from outside, and is started with too few file descriptors. Slow reads come
 * from the FUSE bridge's read-delay fault point, so that reads are really in flight when the
 * signal arrives.
 */
class DaemonLifecycleIT {

    private static final int READERS = 20;

    @TempDir
    static Path shared;
    static Path music;
    static Corpus corpus;

    @TempDir
    Path tmp;
    Path cache;
    Path mountPoint;
    String testName;

    @BeforeAll
    static void corpus() throws Exception {
        music = shared.resolve("music");
        corpus = CorpusGenerator.generate(music, CorpusSpec.of(4).withHardCases(false).withFormats(AudioFormat.FLAC)
                .withLargeTracks(READERS, 2L << 20));
    }

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        cache = tmp.resolve("cache");
        mountPoint = Files.createDirectories(tmp.resolve("mnt"));
        testName = "DaemonLifecycleIT-" + info.getTestMethod().orElseThrow().getName() + info.getDisplayName().replaceAll("\\W+", "-");
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.forceUnmount(mountPoint);
    }

    private Daemon start(List<String> jvmOptions, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("mount", "--origin", music.toString(), "--cache", cache.toString()));
        args.addAll(List.of(extraArgs));
        args.add(mountPoint.toString());
        return Daemon.start(jvmOptions, args, Map.of());
    }

    /**
     * Waits until the daemon serves, its sync is done and its own warm-up lookups through the mount
     * are over: a process killed while one of its threads waits on its own mount cannot finish
     * dying (the kernel waits for an answer only that process could give).
     */
    private static Daemon served(Daemon daemon) throws InterruptedException {
        daemon.awaitServing();
        daemon.awaitLine(line -> line.contains("origin music: sync finished"), 120);
        daemon.awaitLine(line -> line.contains("FUSE workers warmed up"), 60);
        return daemon;
    }

    /** One reader streaming one file through the mount: how far it got and how it ended. */
    static final class Reader implements Runnable {
        final Path file;
        final AtomicLong bytes = new AtomicLong();
        volatile boolean reading;
        volatile boolean completed;
        volatile IOException failure;
        volatile boolean done;

        Reader(Path file) {
            this.file = file;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(file)) {
                reading = true;
                int n;
                while ((n = in.read(buffer)) > 0) {
                    bytes.addAndGet(n);
                }
                completed = true;
            } catch (IOException e) {
                failure = e;
            } finally {
                done = true;
            }
        }

        /** data to the end, or an I/O error (EIO): nothing else, and no hang */
        boolean gotDataOrEio() {
            return done && (completed || failure != null && String.valueOf(failure.getMessage()).contains("Input/output error"));
        }

        @Override
        public String toString() {
            return file.getFileName() + ": " + bytes.get() + " bytes, " + (completed ? "completed" : done ? "failed: " + failure : "still reading");
        }
    }

    private List<Reader> startReaders(ExecutorService pool) {
        List<Reader> readers = new ArrayList<>();
        for (TruthEntry track : corpus.presentOf(Corpus.LARGE_CASE)) {
            Reader reader = new Reader(mountPoint.resolve(track.virtualPath()));
            readers.add(reader);
            pool.execute(reader);
        }
        assertEquals(READERS, readers.size());
        return readers;
    }

    private static void awaitAll(List<Reader> readers, java.util.function.Predicate<Reader> condition, long seconds, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!readers.stream().allMatch(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + seconds + " s: " + readers);
            }
            Thread.sleep(20); // polling the readers' progress with a deadline
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void aStopSignalDrainsTwentyStreamingReadersAndUnmounts(String signal) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try (Daemon daemon = served(start(List.of("-Dmusicfs.fault.fuse.readDelayMillis=100"), "--drain-timeout", "3"))) {
            try {
                List<Reader> readers = startReaders(pool);
                awaitAll(readers, r -> r.bytes.get() > 0, 60, "every reader getting data");
                assertTrue(readers.stream().noneMatch(r -> r.completed), "the readers are still streaming when the signal comes: " + readers);
                long signalled = System.nanoTime();
                daemon.signal(signal);
                assertEquals(0, daemon.awaitExit(3 + 5), daemon.output());
                long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertTrue(exitMillis < 8_000, "exited within the drain timeout plus 5 s: " + exitMillis + " ms");
                awaitAll(readers, r -> r.done, 10, "every reader ending");
                for (Reader reader : readers) {
                    assertTrue(reader.bytes.get() > 0 && reader.gotDataOrEio(), "got data, then the end or EIO: " + reader);
                }
                assertFalse(Mounts.isMounted(mountPoint), "nothing left mounted");
                String out = daemon.output();
                assertTrue(out.contains("shutting down (SIG" + signal + " received)"), out);
                for (String step : List.of("shutdown: drain", "shutdown: stopped sync, watchers and catalog database in",
                        "shutdown: stopped chunk cache and prefetch in", "shutdown: stopped the FUSE bridge (unmounted) in", "shutdown: done in")) {
                    assertTrue(out.contains(step), "the time of each step is logged: " + step);
                }
            } finally {
                daemon.saveOutput(testName);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSecondSigtermDuringTheDrainExitsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        // every read waits a minute: the drain (30 s) cannot finish by itself
        try (Daemon daemon = served(start(List.of("-Dmusicfs.fault.fuse.readDelayMillis=60000"), "--drain-timeout", "30"))) {
            try {
                List<Reader> readers = startReaders(pool);
                daemon.awaitLine(line -> line.contains("fault point: read delayed by 60000 ms"), 30);
                daemon.signal("TERM");
                daemon.awaitLine(line -> line.contains("shutting down (SIGTERM received)"), 10);
                long second = System.nanoTime();
                daemon.signal("TERM");
                int exit = daemon.awaitExit(5);
                long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - second);
                assertEquals(128 + 15, exit, daemon.output());
                assertTrue(exitMillis < 3_000, "exited at once: " + exitMillis + " ms");
                assertTrue(daemon.output().contains("second SIGTERM during the shutdown: unmounting and exiting at once"), daemon.output());
                assertFalse(daemon.output().contains("shutdown: drain"), "the drain was still in progress");
                assertFalse(Mounts.isMounted(mountPoint), "nothing left mounted");
                awaitAll(readers, r -> r.done, 10, "every reader ending (none hangs)");
            } finally {
                daemon.saveOutput(testName);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void afterKillMinus9WhileReadingARestartCleansTheStaleMountAndServesTheRightBytes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try (Daemon daemon = served(start(List.of("-Dmusicfs.fault.fuse.readDelayMillis=100")))) {
            try {
                List<Reader> readers = startReaders(pool);
                awaitAll(readers, r -> r.bytes.get() > 0, 60, "every reader getting data");
                daemon.signal("KILL");
                daemon.awaitExit(10);
                awaitAll(readers, r -> r.done, 10, "every reader ending (none hangs)");
                assertTrue(Mounts.isMounted(mountPoint), "SIGKILL leaves the dead mount behind");
            } finally {
                daemon.saveOutput(testName + "-killed");
            }
        } finally {
            pool.shutdownNow();
        }
        try (Daemon daemon = served(start(List.of()))) {
            try {
                assertTrue(daemon.output().contains("holds a dead fuse.musicfs mount left by a process that ended; unmounting it"),
                        daemon.output());
                MountedTree.assertMatches(mountPoint, corpus.present());
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(30), daemon.output());
            } finally {
                daemon.saveOutput(testName + "-restarted");
            }
        }
    }

    @Test
    void aFuseSessionEndedFromOutsideIsMountedAgain() throws Exception {
        try (Daemon daemon = served(start(List.of()))) {
            try {
                TruthEntry track = corpus.presentOf(Corpus.LARGE_CASE).get(0);
                assertEquals(0, Mounts.run("fusermount", "-u", "-z", mountPoint.toString()));
                daemon.awaitLine(line -> line.contains("ended unexpectedly"), 10);
                daemon.awaitLine(line -> line.contains("remounted " + mountPoint), 10);
                assertEquals(track.sha256(), MountedTree.sha256(mountPoint.resolve(track.virtualPath())), "the remount serves the right bytes");
                assertTrue(daemon.isAlive());
                daemon.signal("TERM");
                assertEquals(0, daemon.awaitExit(30), daemon.output());
                assertFalse(Mounts.isMounted(mountPoint));
            } finally {
                daemon.saveOutput(testName);
            }
        }
    }

    @Test
    void aMountThatCannotBeRemountedShutsTheDaemonDownCleanly() throws Exception {
        try (Daemon daemon = served(start(List.of()))) {
            try {
                assertEquals(0, Mounts.run("fusermount", "-u", "-z", mountPoint.toString()));
                Files.delete(mountPoint); // within the first remount's 1 s delay: no remount finds its folder
                // three attempts, after 1 s, 5 s and 15 s, then a clean shutdown with exit code 1
                assertEquals(1, daemon.awaitExit(40), daemon.output());
                String out = daemon.output();
                assertEquals(3, out.lines().filter(line -> line.contains("remounting " + mountPoint + " failed: mount point " + mountPoint
                        + " does not exist")).count(), out);
                assertTrue(out.contains("shutting down (the mount failed: the FUSE session at " + mountPoint
                        + " ended and 3 remounts did not bring it back"), out);
                assertTrue(out.contains("shutdown: done in"), out);
            } finally {
                daemon.saveOutput(testName);
                Files.createDirectories(mountPoint);
            }
        }
    }

    @Test
    void backgroundWorkRunsAtALowerCpuPriorityThanTheThreadsThatServeReads() throws Exception {
        try (Daemon daemon = served(start(List.of()))) {
            try {
                MountedTree.assertMatches(mountPoint, corpus.present()); // every thread kind has run
                daemon.awaitLine(line -> line.contains("cpu priorities:") && line.contains("SCHED_IDLE"), 60);
                daemon.awaitLine(line -> line.contains("jit: the optimising compiler (C2) now compiles only"), 1); // JitPolicyTest: what it does
                Map<String, List<Integer>> niceByName = threadStatField(daemon.pid(), 16);
                Map<String, List<Integer>> policyByName = threadStatField(daemon.pid(), 38);
                assertAllNice(niceByName, "C2 CompilerThre", 19);
                assertTrue(policyByName.get("C2 CompilerThre").stream().allMatch(p -> p == 5),
                        "the JIT compiler runs SCHED_IDLE (policy 5): " + policyByName);
                assertTrue(policyByName.get("musicfs-cas-wri").stream().allMatch(p -> p == 0), "the cache writer stays SCHED_OTHER");
                assertAllNice(niceByName, "musicfs-cas-wri", 10); // the cache writer
                assertAllNice(niceByName, "musicfs-sync-1", 10);
                assertAllNice(niceByName, "musicfs-cas-ori", 0); // origin calls of readers
                assertAllNice(niceByName, "musicfs-fuse", 0); // libfuse's loop and its workers
            } finally {
                daemon.saveOutput(testName);
            }
        }
    }

    /**
     * @param field a field of /proc/PID/task/TID/stat counted from the one after the name (16: nice, 38: scheduling policy)
     * @return the field of each thread of the process, by thread name (as the kernel keeps it: 15 characters)
     */
    private static Map<String, List<Integer>> threadStatField(long pid, int field) throws IOException {
        Map<String, List<Integer>> byName = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                byName.computeIfAbsent(name, n -> new ArrayList<>()).add(Integer.parseInt(after[field]));
            }
        }
        return byName;
    }

    private static void assertAllNice(Map<String, List<Integer>> niceByName, String name, int nice) {
        List<Integer> values = niceByName.get(name);
        assertTrue(values != null && !values.isEmpty(), "no thread named " + name + " in " + niceByName);
        assertTrue(values.stream().allMatch(v -> v == nice), name + " threads should run at nice " + nice + ": " + niceByName);
    }

    @Test
    void tooFewFileDescriptorsGiveOneClearError() throws Exception {
        List<String> args = List.of("mount", "--origin", music.toString(), "--cache", cache.toString(), mountPoint.toString());
        try (Daemon daemon = Daemon.start(List.of(), args, Map.of(), "prlimit", "--nofile=64:64", "--")) {
            try {
                assertEquals(1, daemon.awaitExit(60), daemon.output());
                String out = daemon.output();
                assertTrue(out.contains("musicfs: error: the limit of open files is 64; MusicFS needs at least 256"), out);
                assertFalse(out.contains("Exception"), "a clear error, not a stack trace: " + out);
                assertFalse(Mounts.isMounted(mountPoint));
            } finally {
                daemon.saveOutput(testName);
            }
        }
    }
}
