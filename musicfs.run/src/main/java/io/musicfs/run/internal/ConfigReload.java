package io.musicfs.run.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a changed configuration live (resilience.md 3.6), on SIGHUP or when the config file
 * changes: reads the command line and the config file again, checks the result as at start, and
 * hands what can change while running (origins added, changed or removed, path patterns, poll
 * interval, log level, drain timeout) to Configuration Admin. A configuration with a mistake is
 * rejected with the message that names it; the running one stays. Mount point, FUSE options and
 * cache folder need a restart: the log says so and the running values stay.
 *
 * <p>Threads: {@link #reload} is synchronized (a signal and a file change may come at once); the
 * file watch runs as one supervised task.
 */
final class ConfigReload {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);
    /** how long a burst of file events (an editor writes, renames, touches) is gathered before reloading */
    private static final long SETTLE_MILLIS = 300;

    private final String[] args;
    private final Map<String, String> env;
    private final Path home;
    private final ConfigurationAdmin admin;
    private final LogLevels logLevels;
    private volatile Settings running;

    ConfigReload(String[] args, Map<String, String> env, Path home, ConfigurationAdmin admin, LogLevels logLevels, Settings running) {
        this.args = args;
        this.env = env;
        this.home = home;
        this.admin = admin;
        this.logLevels = logLevels;
        this.running = running;
    }

    Settings running() {
        return running;
    }

    /** @return whether the new configuration was applied */
    synchronized boolean reload(String trigger) {
        Settings next;
        try {
            next = ((CommandLine.MountCommand) CommandLine.parse(args, env, home)).settings();
            StartupChecks.check(next, home);
        } catch (UsageException | StartupException e) {
            LOG.error("configuration reload ({}) rejected: {}; the running configuration stays", trigger, e.getMessage());
            return false;
        } catch (ClassCastException e) {
            LOG.error("configuration reload ({}) rejected: the command line is no longer a mount command", trigger);
            return false;
        }
        Settings current = running;
        needsRestart("mount point", current.mountPoint(), next.mountPoint());
        needsRestart("cache folder", current.cacheDir(), next.cacheDir());
        needsRestart("allow-other (a FUSE option)", current.allowOther(), next.allowOther());
        needsRestart("[control] and [webhook] sections", current.control(), next.control());
        Settings applied = new Settings(current.mountPoint(), current.cacheDir(), next.origins(), next.pathPatterns(),
                current.allowOther(), next.pollIntervalSeconds(), next.cacheLimitBytes(), current.control(), next.daemon());
        try {
            // removed origins go first: their services must be gone before the catalog drops their tracks,
            // or a sync of theirs could still bring the tracks back
            List<String> removed = RuntimeConfiguration.removeUnconfiguredOrigins(admin, applied);
            RuntimeConfiguration.apply(admin, applied);
            logLevels.apply(applied.daemon().logLevel());
            running = applied;
            LOG.info("configuration reloaded ({}): origins {}{}{}", trigger, applied.origins().stream().map(OriginSpec::id).toList(),
                    describeChanges(current, applied), removed.isEmpty() ? "" : "; removed " + removed);
            return true;
        } catch (IOException | org.osgi.framework.InvalidSyntaxException | RuntimeException e) {
            LOG.error("configuration reload ({}) failed while applying it: {}; parts may be applied, the rest is as before", trigger,
                    e.toString(), e);
            return false;
        }
    }

    private static String describeChanges(Settings before, Settings after) {
        List<String> changes = new ArrayList<>();
        List<String> added = after.origins().stream().map(OriginSpec::id).filter(id -> before.origins().stream().noneMatch(o -> o.id().equals(id))).toList();
        if (!added.isEmpty()) {
            changes.add("added " + added);
        }
        List<String> changed = after.origins().stream().filter(o -> before.origins().stream().anyMatch(b -> b.id().equals(o.id()) && !b.equals(o)))
                .map(OriginSpec::id).toList();
        if (!changed.isEmpty()) {
            changes.add("changed " + changed);
        }
        if (!before.daemon().logLevel().equals(after.daemon().logLevel())) {
            changes.add("log level " + after.daemon().logLevel());
        }
        if (!before.daemon().drainTimeout().equals(after.daemon().drainTimeout())) {
            changes.add("drain timeout " + after.daemon().drainTimeout().toSeconds() + " s");
        }
        return changes.isEmpty() ? "" : "; " + String.join("; ", changes);
    }

    private void needsRestart(String what, Object running, Object wanted) {
        if (!Objects.equals(running, wanted)) {
            LOG.warn("configuration reload: {} changed from {} to {}: that takes a restart of the daemon; it stays {} until then",
                    what, show(running), show(wanted), show(running));
        }
    }

    private String show(Object value) {
        return value instanceof Path path ? Paths.show(path, home) : String.valueOf(value);
    }

    /** Watches the config file's folder and reloads when the file changes; runs until interrupted. */
    void watch(Path file) throws IOException, InterruptedException {
        Path dir = file.toAbsolutePath().getParent();
        Path name = file.getFileName();
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            LOG.debug("watching {} for changes", file);
            while (true) {
                WatchKey key = watcher.take();
                boolean ours = concerns(key, name);
                key.reset();
                if (!ours) {
                    continue;
                }
                // gather the rest of the burst, then reload once
                WatchKey more;
                while ((more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                if (java.nio.file.Files.exists(file)) {
                    reload("config file " + Paths.show(file, home) + " changed");
                }
            }
        } catch (ClosedWatchServiceException e) {
            throw new InterruptedException("config file watch closed");
        }
    }

    private static boolean concerns(WatchKey key, Path name) {
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context())) {
                ours = true;
            }
        }
        return ours;
    }
}
