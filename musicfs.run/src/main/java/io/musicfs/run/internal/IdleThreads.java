package io.musicfs.run.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jnr.ffi.LibraryLoader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the daemon's nice-19 threads under Linux's SCHED_IDLE policy, so they only take a core
 * that no other thread wants. Those are the JIT compiler threads ({@code -XX:CompilerThreadPriority=19}
 * in {@code conf/daemon.jvm}). Nice 19 alone is not enough on a small machine: the scheduler lets a
 * running thread finish its time slice (up to a tick, 4 ms) before a woken one of nice 0 gets the
 * core, and a compiler busy with a method leaves the FUSE thread of a cached read waiting that
 * long while the other core idles. A SCHED_IDLE thread is preempted at once by the daemon's own
 * threads and its core counts as free when a woken thread looks for one. Measured with
 * {@code bench/cache-bench.sh}: open + first 64 KiB of cached tracks, p99 about 2 ms before, under
 * 1 ms after. Another process's thread does not preempt it at once (the scheduler compares the
 * processes' task groups): {@link JitPolicy} keeps long compilations away instead.
 *
 * <p>Only nice-19 threads: threads that hold locks the readers need (the cache writer, the
 * manifest store) stay at nice 10, where they still progress when the cores are busy; a
 * SCHED_IDLE thread holding such a lock could keep a reader waiting for as long as the cores stay
 * busy. Compiler threads hold none of the daemon's locks.
 *
 * <p>The threads are found in {@code /proc/self/task} when the daemon starts and again every
 * {@link #INTERVAL_MILLIS} (the JVM may start compiler threads later). Switching a thread of one's
 * own to SCHED_IDLE needs no privilege (sched(7)); if the system refuses, that is said once and
 * the threads keep their nice value. Runs as a supervised task.
 */
final class IdleThreads {

    private static final Logger LOG = LoggerFactory.getLogger(IdleThreads.class);
    static final long INTERVAL_MILLIS = 30_000;
    /** The nice value that marks a thread for SCHED_IDLE. */
    static final int MARK = 19;
    /** sched(7): SCHED_IDLE */
    static final int SCHED_IDLE = 5;
    private static final Path TASKS = Path.of("/proc/self/task");

    /** The libc call needed; jnr-ffi binds it. */
    public interface LibC {
        /** @param param a {@code struct sched_param}: one int, 0 for SCHED_IDLE */
        int sched_setscheduler(int pid, int policy, int[] param);
    }

    /** Sets a thread's scheduling policy; the real one calls libc. */
    interface Scheduler {
        /** @return whether the policy was set */
        boolean setIdle(int tid);
    }

    private final Path tasks;
    private final Scheduler scheduler;
    private final Set<Integer> done = new HashSet<>();
    private boolean refused;

    IdleThreads() {
        this(TASKS, libcScheduler());
    }

    /** With the task folder and the call given (tests). */
    IdleThreads(Path tasks, Scheduler scheduler) {
        this.tasks = tasks;
        this.scheduler = scheduler;
    }

    /** Applies the policy now and every {@link #INTERVAL_MILLIS} until interrupted (after a refusal, no more tries). */
    void run() throws InterruptedException {
        while (true) {
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
            if (!refused) {
                apply();
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        }
    }

    /** @return the threads switched to SCHED_IDLE by this call */
    int apply() {
        Set<Integer> seen = new HashSet<>();
        int switched = 0;
        StringBuilder names = new StringBuilder();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                int tid;
                try {
                    tid = Integer.parseInt(task.getFileName().toString());
                } catch (NumberFormatException notATask) {
                    continue;
                }
                seen.add(tid);
                if (done.contains(tid)) {
                    continue;
                }
                Stat stat = Stat.read(task.resolve("stat"));
                if (stat == null || stat.nice() != MARK || stat.policy() == SCHED_IDLE) {
                    continue;
                }
                if (!scheduler.setIdle(tid)) {
                    refused = true;
                    LOG.warn("cpu priorities: the system refused SCHED_IDLE for thread {} ({}); the JIT compiler threads keep nice {}, "
                            + "and cached reads may wait up to a few ms behind them on a busy machine", tid, stat.name(), MARK);
                    return switched;
                }
                done.add(tid);
                switched++;
                names.append(names.length() == 0 ? "" : ", ").append(stat.name());
            }
        } catch (IOException e) {
            LOG.debug("cpu priorities: cannot list {}: {}", tasks, e.toString());
            return switched;
        }
        done.retainAll(seen); // thread ids of ended threads may come back for new ones
        if (switched > 0) {
            LOG.info("cpu priorities: {} thread(s) at nice {} now run only on a core nothing else wants (SCHED_IDLE): {}", switched, MARK,
                    names);
        }
        return switched;
    }

    /** What {@code /proc/self/task/TID/stat} says of a thread: its name, nice value and scheduling policy. */
    record Stat(String name, int nice, int policy) {

        /** @return the thread's stat, or null when it ended meanwhile or the line cannot be read */
        static Stat read(Path file) {
            String line;
            try {
                line = Files.readString(file);
            } catch (IOException ended) { // NoSuchFileException: the thread ended meanwhile
                return null;
            }
            return parse(line);
        }

        /** proc(5): field 2 is the name in parentheses (it may hold spaces), field 19 the nice value, field 41 the policy. */
        static Stat parse(String line) {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 0 || close < open) {
                return null;
            }
            String[] rest = line.substring(close + 1).trim().split(" ");
            if (rest.length < 39) {
                return null;
            }
            try {
                return new Stat(line.substring(open + 1, close), Integer.parseInt(rest[16]), Integer.parseInt(rest[38]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static Scheduler libcScheduler() {
        return new Scheduler() {
            private LibC libc;

            @Override
            public boolean setIdle(int tid) {
                try {
                    if (libc == null) {
                        libc = LibraryLoader.create(LibC.class).load("c");
                    }
                    return libc.sched_setscheduler(tid, SCHED_IDLE, new int[] {0}) == 0;
                } catch (LinkageError | RuntimeException e) {
                    LOG.debug("cpu priorities: sched_setscheduler unavailable: {}", e.toString());
                    return false;
                }
            }
        };
    }
}
