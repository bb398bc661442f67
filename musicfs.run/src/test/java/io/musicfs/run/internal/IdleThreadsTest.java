package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Which threads are switched to SCHED_IDLE, once each, and what a refusal does; the real call is in DaemonLifecycleIT. */
class IdleThreadsTest {

    @TempDir
    Path tasks;

    private final List<Integer> switched = new ArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(IdleThreads.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    IdleThreadsTest() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    /** A stat line as proc(5) writes it: pid (name) state, then fields 4..52; nice is field 19, policy field 41. */
    private void thread(int tid, String name, int nice, int policy) throws IOException {
        StringBuilder line = new StringBuilder(tid + " (" + name + ") S");
        for (int field = 4; field <= 52; field++) {
            line.append(' ').append(field == 19 ? nice : field == 41 ? policy : field);
        }
        Path dir = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
        Files.writeString(dir.resolve("stat"), line.append('\n').toString());
    }

    @Test
    void onlyThreadsAtNice19ThatAreNotIdleYetAreSwitchedOnceEach() throws IOException {
        thread(101, "C2 CompilerThre", 19, 0);
        thread(102, "C1 CompilerThre", 19, 0);
        thread(103, "musicfs-cas-wri", 10, 0); // background, but holds locks readers need: stays at nice 10
        thread(104, "musicfs-fuse", 0, 0);
        thread(105, "Sweeper thread", 19, IdleThreads.SCHED_IDLE); // already idle
        IdleThreads idle = new IdleThreads(tasks, tid -> switched.add(tid));

        assertEquals(2, idle.apply());
        assertEquals(List.of(101, 102), switched.stream().sorted().toList());
        assertEquals(0, idle.apply(), "a thread is switched once");

        thread(106, "C2 CompilerThre", 19, 0); // the JVM started another compiler thread
        assertEquals(1, idle.apply());
        assertEquals(List.of(101, 102, 106), switched.stream().sorted().toList());
        assertTrue(lines.list.stream().allMatch(e -> e.getLevel() == Level.INFO), lines.list.toString());
    }

    @Test
    void aRefusalIsSaidOnceNamingTheThreadAndNothingMoreIsTried() throws IOException {
        thread(201, "C2 CompilerThre", 19, 0);
        thread(202, "C1 CompilerThre", 19, 0);
        List<Integer> asked = new ArrayList<>();
        IdleThreads idle = new IdleThreads(tasks, tid -> {
            asked.add(tid);
            return false;
        });

        assertEquals(0, idle.apply());
        assertEquals(1, asked.size());
        assertEquals(1, lines.list.size());
        ILoggingEvent warning = lines.list.get(0);
        assertEquals(Level.WARN, warning.getLevel());
        assertTrue(warning.getFormattedMessage().contains("refused SCHED_IDLE for thread " + asked.get(0)), warning.getFormattedMessage());
    }

    @Test
    void statLinesAreReadByPositionAfterTheNameWhateverTheNameHolds() {
        IdleThreads.Stat stat = IdleThreads.Stat.parse("7 (odd) name (x)) R 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27"
                + " 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42");
        assertEquals("odd) name (x)", stat.name());
        assertEquals(19, stat.nice());
        assertEquals(41, stat.policy());
        assertNull(IdleThreads.Stat.parse("7 (short) R 1 2 3"));
        assertNull(IdleThreads.Stat.parse("garbage"));
    }
}
