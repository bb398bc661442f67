package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.spi.FilterReply;

/** The shipped logging configuration (conf/logback.xml) and the rate limit of repeated warnings, with real logback. */
class LoggingTest {

    /** Configures a fresh logback context from conf/logback.xml with the given output, logs, and returns what reached stderr. */
    private static String logWith(String output, String message, Object argument) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setProperty("musicfs.log.output", output);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerContext context = new LoggerContext();
            context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
            context.start();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of("conf/logback.xml").toFile());
            context.getLogger("io.musicfs.run.internal.MainThread").info(message, argument);
            context.getLogger("io.musicfs.run.internal.MainThread").debug("not shown at the default level");
            context.stop();
        } finally {
            System.setErr(original);
            System.clearProperty("musicfs.log.output");
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void consoleLinesHaveTimeLevelAndTheHomeFolderAsTilde() throws Exception {
        String home = System.getProperty("user.home");
        String out = logWith("console", "starting: cache {}", home + "/.cache/musicfs");
        assertTrue(out.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}.* \\[INFO\\] MainThread - starting: cache ~/.cache/musicfs\\R"), out);
    }

    @Test
    void journalLinesHaveAPriorityPrefixAndNoTimestamp() throws Exception {
        assertEquals("<6>MainThread: mounted\n", logWith("journal", "mounted{}", ""));
    }

    @Test
    void jsonLinesAreJson() throws Exception {
        String out = logWith("json", "serving {} tracks", 42).strip();
        assertTrue(out.startsWith("{") && out.endsWith("}"), out);
        assertTrue(out.contains("\"level\":\"INFO\""), out);
        assertTrue(out.contains("\"loggerName\":\"io.musicfs.run.internal.MainThread\""), out);
        assertTrue(out.contains("\"formattedMessage\":\"serving 42 tracks\""), out);
    }

    @Test
    void repeatedWarningsAreLimitedPerMinuteAndTheSuppressedOnesCounted() {
        AtomicLong now = new AtomicLong();
        LoggerContext context = new LoggerContext();
        RepeatedWarnings filter = new RepeatedWarnings(now::get);
        ch.qos.logback.classic.Logger logger = context.getLogger("io.musicfs.test");
        List<FilterReply> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            replies.add(filter.decide(null, logger, ch.qos.logback.classic.Level.WARN, "origin {} failed", new Object[] {"nas"}, null));
        }
        assertEquals(List.of(FilterReply.NEUTRAL, FilterReply.NEUTRAL, FilterReply.NEUTRAL, FilterReply.NEUTRAL, FilterReply.NEUTRAL,
                FilterReply.DENY, FilterReply.DENY, FilterReply.DENY), replies);
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, logger, ch.qos.logback.classic.Level.INFO, "origin {} failed", null, null),
                "info is never limited");
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, logger, ch.qos.logback.classic.Level.WARN, "another pattern", null, null));
        now.addAndGet(RepeatedWarnings.WINDOW_NANOS);
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, logger, ch.qos.logback.classic.Level.WARN, "origin {} failed", null, null),
                "a new minute lets it through again");
    }
}
