package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.musicfs.api.supervision.TaskStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/** The restart policy of supervised tasks, with short delays, on real threads. */
class TaskSupervisorTest {

    private final TaskSupervisor supervisor = new TaskSupervisor();

    private static TaskSupervisor.Config delays(long... millis) {
        return new TaskSupervisor.Config() {
            public Class<? extends Annotation> annotationType() { return TaskSupervisor.Config.class; }
            public long[] restartDelaysMillis() { return millis; }
        };
    }

    /** A bundle context that only takes and drops framework listeners (all the supervisor asks of it here). */
    private static BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(TaskSupervisorTest.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> null);
    }

    @AfterEach
    void stop() {
        supervisor.deactivate();
    }

    private TaskStatus status(String name) {
        return supervisor.tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within 10 s");
            }
            Thread.sleep(5); // polling a condition with a deadline
        }
    }

    @Test
    void aTaskThatKeepsFailingIsRestartedPerPolicyThenReportedFailed() throws Exception {
        supervisor.activate(context(), delays(0, 10, 20, 30, 40));
        AtomicInteger runs = new AtomicInteger();
        supervisor.supervise("sync of origin nas", () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("nas unreachable");
        });
        await(() -> status("sync of origin nas").state() == TaskStatus.State.FAILED, "the task being reported failed");
        TaskStatus failed = status("sync of origin nas");
        assertEquals(5, failed.restarts());
        assertEquals(6, runs.get(), "the first run and five restarts");
        assertEquals("IllegalStateException: nas unreachable", failed.lastError());
        assertEquals(List.of(failed), supervisor.failed());
    }

    @Test
    void aTaskThatRecoversKeepsRunningAndAReturnCountsAsAFailure() throws Exception {
        supervisor.activate(context(), delays(0, 10, 20, 30, 40));
        AtomicInteger runs = new AtomicInteger();
        supervisor.supervise("watch of origin music", () -> {
            if (runs.incrementAndGet() == 1) {
                return; // returning while not stopped is a failure too
            }
            Thread.sleep(Long.MAX_VALUE);
        });
        await(() -> runs.get() == 2 && status("watch of origin music").state() == TaskStatus.State.RUNNING, "the restart");
        TaskStatus running = status("watch of origin music");
        assertEquals(1, running.restarts());
        assertTrue(running.lastError().startsWith("returned although"), running.lastError());
    }

    @Test
    void anUncaughtExceptionInAnyThreadIsLoggedWithTheThreadAndTheStack() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TaskSupervisor.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        try {
            supervisor.activate(context(), delays(0));
            Thread thread = new Thread(() -> {
                throw new IllegalStateException("index out of step");
            }, "musicfs-tags-7");
            thread.start();
            thread.join();
            await(() -> !lines.list.isEmpty(), "the log line");
            ch.qos.logback.classic.spi.ILoggingEvent line = lines.list.get(0);
            assertEquals(ch.qos.logback.classic.Level.ERROR, line.getLevel());
            assertTrue(line.getFormattedMessage().startsWith("uncaught java.lang.IllegalStateException in thread 'musicfs-tags-7'"),
                    line.getFormattedMessage());
            assertTrue(line.getFormattedMessage().endsWith(": index out of step"), line.getFormattedMessage());
            assertEquals("index out of step", line.getThrowableProxy().getMessage(), "the stack is logged");
        } finally {
            logger.detachAppender(lines);
            supervisor.deactivate();
            Thread.setDefaultUncaughtExceptionHandler(before);
            supervisor.activate(context(), delays(0)); // @AfterEach deactivates
        }
    }

    @Test
    void aStoppedTaskIsNotRestarted() throws Exception {
        supervisor.activate(context(), delays(0));
        AtomicInteger runs = new AtomicInteger();
        AutoCloseable handle = supervisor.supervise("poll of origin s3", () -> {
            runs.incrementAndGet();
            Thread.sleep(Long.MAX_VALUE);
        });
        await(() -> runs.get() == 1, "the first run");
        handle.close();
        assertTrue(supervisor.tasks().isEmpty(), "a closed task is forgotten: " + supervisor.tasks());
        assertEquals(1, runs.get());
    }
}
