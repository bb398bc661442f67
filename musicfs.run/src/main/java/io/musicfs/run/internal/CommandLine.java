package io.musicfs.run.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.musicfs.run.internal.control.ControlRequest;
import io.musicfs.run.internal.control.ControlSettings;

/**
 * Parses the {@code musicfs} command line into what to do. Pure: the file system is only touched
 * to read a {@code --config} file.
 */
final class CommandLine {

    static final String USAGE = String.join("\n",
            "usage: musicfs mount [--origin ORIGIN]... [--config FILE] [--cache DIR] [--allow-other] [--poll-interval S] [MOUNTPOINT]",
            ControlRequest.SYNOPSIS,
            "       musicfs --help | --version",
            "",
            "  mount            mount the music of the origins at MOUNTPOINT, read-only, organised by tags;",
            "                   runs in the foreground until Ctrl-C or SIGTERM, then unmounts",
            "  --origin ORIGIN  where music lives (repeatable; earlier origins are preferred): a folder,",
            "                   s3://BUCKET/PREFIX[?endpoint=URL&region=R&profile=P&credentials-file=F] or",
            "                   sftp://USER@HOST[:PORT]/PATH[?key=FILE&known-hosts=FILE]; add &priority=N or &id=NAME",
            "  --config FILE    read settings and origins from FILE (see the README)",
            "  --cache DIR      cache folder (default $XDG_CACHE_HOME/musicfs or ~/.cache/musicfs)",
            "  --allow-other    let other users (a media server) read the mount",
            "  --poll-interval S  seconds between syncs of origins that cannot push changes (S3, SFTP; default 300)",
            "  --drain-timeout S  at shutdown, seconds reads in flight may take to finish (default 10)",
            "  --log-level L    error, warn, info (default), debug or trace",
            "",
            "  SIGTERM or SIGINT: unmount and stop (a second one: stop at once); SIGHUP: reload the --config file",
            "",
            ControlRequest.HELP);

    /** What the command line asks for. */
    sealed interface Command permits Help, Version, MountCommand, ControlCommand {
    }

    /** A command for the running daemon of {@code cacheDir}. */
    record ControlCommand(ControlRequest request, Path cacheDir) implements Command {
    }

    record Help() implements Command {
    }

    record Version() implements Command {
    }

    record MountCommand(Settings settings) implements Command {
    }

    private CommandLine() {
    }

    static Command parse(String[] args, Map<String, String> env, Path home) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given\n" + USAGE);
        }
        switch (args[0]) {
            case "-h", "--help", "help":
                return new Help();
            case "--version", "version":
                return new Version();
            case "mount":
                return new MountCommand(mount(args, env, home));
            case "status", "origins", "rescan", "cache", "prefetch", "events", "shutdown":
                return control(args, env, home);
            default:
                throw new UsageException("unknown command '" + args[0] + "'\n" + USAGE);
        }
    }

    private static Settings mount(String[] args, Map<String, String> env, Path home) throws UsageException {
        List<String> originFolders = new ArrayList<>();
        String config = null;
        String cache = null;
        String mountPoint = null;
        boolean allowOther = false;
        Integer pollInterval = null;
        Integer drainTimeout = null;
        String logLevel = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--origin" -> originFolders.add(value(args, ++i, arg));
                case "--config" -> config = value(args, ++i, arg);
                case "--cache" -> cache = value(args, ++i, arg);
                case "--allow-other" -> allowOther = true;
                case "--poll-interval" -> pollInterval = ConfigFile.seconds("--poll-interval", value(args, ++i, arg));
                case "--drain-timeout" -> drainTimeout = ConfigFile.seconds("--drain-timeout", value(args, ++i, arg));
                case "--log-level" -> logLevel = ConfigFile.logLevel("--log-level", value(args, ++i, arg));
                case "-h", "--help" -> throw new UsageException(USAGE);
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + arg + "'\n" + USAGE);
                    }
                    if (mountPoint != null) {
                        throw new UsageException("more than one mount point given ('" + mountPoint + "' and '" + arg + "')");
                    }
                    mountPoint = arg;
                }
            }
        }
        ConfigFile.Contents file = config == null ? null : ConfigFile.read(Paths.expand(config, home), home);
        List<OriginSpec> origins = new ArrayList<>(file == null ? List.of() : file.origins());
        Set<String> ids = new HashSet<>();
        int priority = 0;
        for (OriginSpec origin : origins) {
            ids.add(origin.id());
            priority = Math.max(priority, origin.priority());
        }
        for (String text : originFolders) {
            OriginTypes.Parsed parsed = OriginTypes.parse(text);
            String unique = parsed.suggestedId();
            for (int n = 2; !ids.add(unique); n++) {
                unique = parsed.suggestedId() + "-" + n;
            }
            int originPriority = parsed.priority() != null ? parsed.priority() : ++priority;
            priority = Math.max(priority, originPriority);
            origins.add(new OriginSpec(unique, parsed.type(), originPriority,
                    OriginTypes.properties(unique, parsed.type(), parsed.settings(), home)));
        }
        if (origins.isEmpty()) {
            throw new UsageException("no origin given: add --origin FOLDER or [origin ID] sections in a --config file");
        }
        if (mountPoint == null && file != null) {
            mountPoint = file.mount();
        }
        if (mountPoint == null) {
            throw new UsageException("no mount point given\n" + USAGE);
        }
        if (cache == null && file != null) {
            cache = file.cache();
        }
        Path cacheDir = cache != null ? Paths.expand(cache, home) : Paths.defaultCache(env.get("XDG_CACHE_HOME"), home);
        if (file != null && file.allowOther() != null && !allowOther) {
            allowOther = file.allowOther();
        }
        Map<String, String> patterns = file == null ? Map.of() : new LinkedHashMap<>(file.paths());
        if (pollInterval == null && file != null) {
            pollInterval = file.pollIntervalSeconds();
        }
        if (drainTimeout == null && file != null) {
            drainTimeout = file.drainTimeoutSeconds();
        }
        if (logLevel == null && file != null) {
            logLevel = file.logLevel();
        }
        Settings.DaemonOptions defaults = Settings.DaemonOptions.DEFAULTS;
        Settings.DaemonOptions daemon = new Settings.DaemonOptions(
                drainTimeout == null ? defaults.drainTimeout() : java.time.Duration.ofSeconds(drainTimeout),
                logLevel == null ? defaults.logLevel() : logLevel);
        return new Settings(Paths.expand(mountPoint, home), cacheDir, List.copyOf(origins), patterns, allowOther, pollInterval,
                file == null ? null : file.cacheLimitBytes(), file == null ? ControlSettings.DEFAULT : file.control(), daemon);
    }

    /** @return the {@code --config} file of a mount command line, or {@code null} (it is watched and reloaded) */
    static Path configFile(String[] args, Path home) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals("--config")) {
                return Paths.expand(args[i + 1], home);
            }
        }
        return null;
    }

    /** A control command finds its daemon by the cache folder, chosen as {@code mount} chooses it. */
    private static ControlCommand control(String[] args, Map<String, String> env, Path home) throws UsageException {
        ControlRequest request;
        try {
            request = ControlRequest.parse(args);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + "\n" + USAGE);
        }
        String cache = request.cache();
        if (cache == null && request.config() != null) {
            cache = ConfigFile.read(Paths.expand(request.config(), home), home).cache();
        }
        return new ControlCommand(request, cache != null ? Paths.expand(cache, home) : Paths.defaultCache(env.get("XDG_CACHE_HOME"), home));
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
