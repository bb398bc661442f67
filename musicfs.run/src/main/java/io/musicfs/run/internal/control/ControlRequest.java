package io.musicfs.run.internal.control;

import java.util.ArrayList;
import java.util.List;

/**
 * A command for the running daemon, parsed from the command line: {@code status | origins [ID] |
 * rescan ID | cache stats|verify|clear [ID] | prefetch PATH... | events [--type T] [--origin ID] |
 * shutdown [--timeout S]}, each with {@code --json}, {@code --cache DIR} and {@code --config FILE}.
 *
 * @param command the first word
 * @param arguments the words after it that are not options
 * @param json whether to print JSON instead of text
 * @param cache the {@code --cache} folder as given, or {@code null}
 * @param config the {@code --config} file as given, or {@code null}
 * @param type the {@code --type} of events, or {@code null}
 * @param origin the {@code --origin} of events, or {@code null}
 * @param timeout the {@code --timeout} of shutdown in seconds, or {@code null}
 */
public record ControlRequest(String command, List<String> arguments, boolean json, String cache, String config, String type,
        String origin, Double timeout) {

    /** the usage lines of the control commands */
    public static final String SYNOPSIS = String.join("\n",
            "       musicfs status | origins [ID] | rescan ID | cache stats|verify|clear [ID] | prefetch PATH...",
            "               | events [--type T] [--origin ID] | shutdown [--timeout S]   [--json] [--cache DIR | --config FILE]");

    /** what each control command does */
    public static final String HELP = String.join("\n",
            "  status           what the running daemon is doing: state, mount, tracks, cache, origins",
            "  origins [ID]     the origins with their health and sync, or one of them",
            "  rescan ID        sync one origin now, showing progress",
            "  cache stats|verify|clear [ID]   cache counters; check every chunk; drop the cache (or one origin's part)",
            "  prefetch PATH... fetch files or folders of the mounted tree into the cache, showing progress",
            "  events           follow the daemon's events (--type library, health/ORIGIN_HEALTH...; --origin ID)",
            "  shutdown         stop the daemon in order, letting reads finish for --timeout S seconds",
            "  --json           print JSON for scripts; --cache/--config find the daemon as 'mount' does");

    /**
     * @throws IllegalArgumentException with the message for the user when the words make no command
     */
    public static ControlRequest parse(String[] args) {
        String command = args[0];
        List<String> arguments = new ArrayList<>();
        boolean json = false;
        String cache = null;
        String config = null;
        String type = null;
        String origin = null;
        Double timeout = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--json" -> json = true;
                case "--cache" -> cache = value(args, ++i, arg);
                case "--config" -> config = value(args, ++i, arg);
                case "--type" -> type = only(command, "events", arg, value(args, ++i, arg));
                case "--origin" -> origin = only(command, "events", arg, value(args, ++i, arg));
                case "--timeout" -> {
                    String text = only(command, "shutdown", arg, value(args, ++i, arg));
                    try {
                        timeout = Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        timeout = -1.0;
                    }
                    if (timeout < 0 || timeout.isNaN() || timeout.isInfinite()) {
                        throw new IllegalArgumentException("--timeout: '" + text + "' is not a number of seconds (0 or more)");
                    }
                }
                default -> {
                    if (arg.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option '" + arg + "' for " + command);
                    }
                    arguments.add(arg);
                }
            }
        }
        int n = arguments.size();
        switch (command) {
            case "status", "events", "shutdown" -> require(n == 0, command + " takes no arguments");
            case "origins" -> require(n <= 1, "origins takes at most one origin id");
            case "rescan" -> require(n == 1, "rescan needs exactly one origin id");
            case "prefetch" -> require(n >= 1, "prefetch needs at least one path of the mounted tree");
            case "cache" -> {
                require(n >= 1 && List.of("stats", "verify", "clear").contains(arguments.get(0)), "cache needs stats, verify or clear");
                require(n == 1 || (n == 2 && arguments.get(0).equals("clear")), "only 'cache clear' takes an origin id");
            }
            default -> throw new IllegalArgumentException("unknown command '" + command + "'");
        }
        if (cache != null && config != null) {
            throw new IllegalArgumentException("give --cache or --config, not both");
        }
        return new ControlRequest(command, List.copyOf(arguments), json, cache, config, type, origin, timeout);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static String only(String command, String allowed, String option, String value) {
        if (!command.equals(allowed)) {
            throw new IllegalArgumentException(option + " is an option of '" + allowed + "', not of '" + command + "'");
        }
        return value;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
