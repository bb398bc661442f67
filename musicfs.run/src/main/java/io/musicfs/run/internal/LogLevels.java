package io.musicfs.run.internal;

import java.net.URL;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;

/**
 * The logging set-up seen from the daemon: logback, configured by {@code conf/logback.xml}
 * (given with {@code -Dlogback.configurationFile}, or the copy inside this bundle when it is not),
 * plus the level of MusicFS's own loggers from the config file, applied again on reload.
 */
final class LogLevels {

    private static final Logger LOG = LoggerFactory.getLogger(LogLevels.class);
    /** the loggers the config file's log-level sets */
    static final String MUSICFS_LOGGERS = "io.musicfs";

    /** When nobody named a configuration file, logback starts with its debug-level default: use ours. */
    void configureIfDefault(URL embedded) {
        LoggerContext context = context();
        if (context == null || System.getProperty("logback.configurationFile") != null || embedded == null) {
            return;
        }
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            context.reset();
            configurator.doConfigure(embedded);
        } catch (JoranException e) {
            LOG.error("the built-in logging configuration could not be applied: {}", e.toString());
        }
    }

    /**
     * logback's own status lines are silenced (musicfs.bndrun: the unused appenders of
     * logback.xml would print a screenful at every start); its errors are printed here instead.
     */
    void reportConfigurationErrors(java.io.PrintStream err) {
        LoggerContext context = context();
        if (context == null) {
            return;
        }
        for (ch.qos.logback.core.status.Status status : context.getStatusManager().getCopyOfStatusList()) {
            if (status.getLevel() == ch.qos.logback.core.status.Status.ERROR) {
                err.println("musicfs: logging configuration error: " + status.getMessage()
                        + (status.getThrowable() == null ? "" : " (" + status.getThrowable() + ")"));
            }
        }
    }

    /** Adds the rate limit of repeated warnings ({@link RepeatedWarnings}), once. */
    void limitRepeatedWarnings() {
        LoggerContext context = context();
        if (context != null && context.getTurboFilterList().stream().noneMatch(f -> f instanceof RepeatedWarnings)) {
            RepeatedWarnings filter = new RepeatedWarnings(System::nanoTime);
            filter.setContext(context);
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    /** Sets the level of MusicFS's loggers ("error", "warn", "info", "debug", "trace"). */
    void apply(String level) {
        LoggerContext context = context();
        if (context == null) {
            LOG.warn("log level {} not applied: the logging provider is not logback", level);
            return;
        }
        ch.qos.logback.classic.Logger musicfs = context.getLogger(MUSICFS_LOGGERS);
        Level next = Level.toLevel(level, Level.INFO);
        if (!next.equals(musicfs.getLevel())) {
            musicfs.setLevel(next);
            LOG.info("log level of MusicFS set to {}", next);
        }
    }

    private static LoggerContext context() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        return factory instanceof LoggerContext context ? context : null;
    }
}
