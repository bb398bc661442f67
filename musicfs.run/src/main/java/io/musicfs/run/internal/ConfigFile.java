package io.musicfs.run.internal;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.musicfs.run.internal.control.ControlSettings;

/**
 * Reads {@code musicfs.conf}: {@code key = value} lines, {@code [origin ID]} and {@code [paths]}
 * sections, whole-line comments starting with {@code #} or {@code ;}. The format is documented in
 * the README; every mistake is reported with the file, the line and what is wrong.
 */
final class ConfigFile {

    private static final Set<String> TOP_KEYS = Set.of("mount", "cache", "allow-other", "poll-interval", "cache-limit", "drain-timeout",
            "log-level");
    private static final Set<String> PATH_KEYS = Set.of("default", "compilation", "untagged");

    /** What a config file says; absent values are {@code null}. */
    record Contents(String mount, String cache, Boolean allowOther, Integer pollIntervalSeconds, List<OriginSpec> origins,
            Map<String, String> paths, Long cacheLimitBytes, ControlSettings control, Integer drainTimeoutSeconds, String logLevel) {
    }

    private ConfigFile() {
    }

    static Contents read(Path file, Path home) throws UsageException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("config file " + file + " does not exist");
        } catch (MalformedInputException e) {
            throw new UsageException("config file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines, home);
    }

    static Contents parse(String name, List<String> lines, Path home) throws UsageException {
        Map<String, String> top = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        Map<String, Map<String, String>> origins = new LinkedHashMap<>();
        Map<String, Integer> originLines = new LinkedHashMap<>();
        Map<String, String> control = new LinkedHashMap<>();
        Map<String, Map<String, String>> webhooks = new LinkedHashMap<>();
        Map<String, String> section = top;
        String sectionName = null;
        for (int i = 0; i < lines.size(); i++) {
            String where = name + ":" + (i + 1) + ": ";
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw new UsageException(where + "a section header must end with ']'");
                }
                String header = line.substring(1, line.length() - 1).strip();
                if (header.equals("paths")) {
                    section = paths;
                    sectionName = "paths";
                } else if (header.startsWith("origin ") || header.startsWith("origin\t")) {
                    String id = header.substring("origin".length()).strip();
                    try {
                        OriginIdRule.check(id);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(where + e.getMessage());
                    }
                    if (origins.containsKey(id)) {
                        throw new UsageException(where + "origin '" + id + "' is defined twice");
                    }
                    section = new LinkedHashMap<>();
                    origins.put(id, section);
                    originLines.put(id, i + 1);
                    sectionName = "origin " + id;
                } else if (header.equals("control")) {
                    section = control;
                    sectionName = "control";
                } else if (header.startsWith("webhook ")) {
                    if (webhooks.containsKey(header.substring(8).strip())) {
                        throw new UsageException(where + "webhook '" + header.substring(8).strip() + "' is defined twice");
                    }
                    section = new LinkedHashMap<>();
                    webhooks.put(header.substring(8).strip(), section);
                    sectionName = "webhook";
                } else {
                    throw new UsageException(where + "unknown section [" + header
                            + "] (expected [origin ID], [paths], [control] or [webhook NAME])");
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(where + "expected 'key = value', found '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Set<String> allowed = sectionName == null ? TOP_KEYS : sectionName.equals("paths") ? PATH_KEYS
                    : sectionName.equals("control") ? ControlSettings.CONTROL_KEYS : sectionName.equals("webhook") ? ControlSettings.WEBHOOK_KEYS : null;
            if (allowed != null && !allowed.contains(key)) {
                throw new UsageException(where + "unknown key '" + key + "'" + (sectionName == null ? "" : " in [" + sectionName + "]")
                        + " (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            if (section.put(key, value) != null) {
                throw new UsageException(where + "'" + key + "' is set twice");
            }
        }
        List<OriginSpec> specs = new ArrayList<>();
        int order = 0;
        for (Map.Entry<String, Map<String, String>> entry : origins.entrySet()) {
            order++;
            specs.add(origin(name + ":" + originLines.get(entry.getKey()) + ": ", entry.getKey(), entry.getValue(), order, home));
        }
        Boolean allowOther = null;
        if (top.containsKey("allow-other")) {
            allowOther = bool(name + ": allow-other", top.get("allow-other"));
        }
        Integer poll = top.containsKey("poll-interval") ? seconds(name + ": poll-interval", top.get("poll-interval")) : null;
        Long cacheLimit = top.containsKey("cache-limit") ? bytes(name + ": cache-limit", top.get("cache-limit")) : null;
        Integer drain = top.containsKey("drain-timeout") ? seconds(name + ": drain-timeout", top.get("drain-timeout")) : null;
        String logLevel = top.containsKey("log-level") ? logLevel(name + ": log-level", top.get("log-level")) : null;
        ControlSettings controlSettings;
        try {
            controlSettings = ControlSettings.parse(control, webhooks, home);
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
        return new Contents(top.get("mount"), top.get("cache"), allowOther, poll, specs, paths, cacheLimit, controlSettings, drain, logLevel);
    }

    /** @return a size such as {@code 20G}, {@code 512M}, {@code 1T} or a plain byte count, in bytes */
    static long bytes(String what, String text) throws UsageException {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1).strip();
        try {
            long n = Long.parseLong(digits);
            if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new UsageException(what + ": '" + text + "' is not a size (a positive whole number with K, M, G or T, e.g. 20G)");
        }
    }

    private static OriginSpec origin(String where, String id, Map<String, String> values, int order, Path home) throws UsageException {
        Map<String, String> settings = new LinkedHashMap<>(values);
        String type = settings.getOrDefault("type", "local");
        settings.remove("type");
        if (!OriginTypes.types().contains(type)) {
            throw new UsageException(where + "origin '" + id + "' has unknown type '" + type + "' (known: "
                    + String.join(", ", OriginTypes.types()) + ")");
        }
        int priority = order;
        String priorityText = settings.remove("priority");
        if (priorityText != null) {
            try {
                priority = Integer.parseInt(priorityText);
            } catch (NumberFormatException e) {
                throw new UsageException(where + "origin '" + id + "': priority '" + priorityText + "' is not a whole number");
            }
        }
        for (String key : settings.keySet()) {
            if (!OriginTypes.keys(type).contains(key)) {
                throw new UsageException(where + "unknown key '" + key + "' for a " + type + " origin (known: type, priority, "
                        + String.join(", ", OriginTypes.keys(type)) + ")");
            }
        }
        try {
            return new OriginSpec(id, type, priority, OriginTypes.properties(id, type, settings, home));
        } catch (UsageException e) {
            throw new UsageException(where + e.getMessage());
        }
    }

    static int seconds(String what, String value) throws UsageException {
        try {
            int seconds = Integer.parseInt(value.strip());
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(what + ": '" + value + "' is not a number of seconds (0 or more)");
    }

    static String logLevel(String what, String value) throws UsageException {
        String level = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!Settings.DaemonOptions.LEVELS.contains(level)) {
            throw new UsageException(what + ": '" + value + "' is not a log level (" + String.join(", ", Settings.DaemonOptions.LEVELS) + ")");
        }
        return level;
    }

    static boolean bool(String what, String value) throws UsageException {
        switch (value.toLowerCase()) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw new UsageException(what + ": '" + value + "' is not true or false");
        }
    }
}
