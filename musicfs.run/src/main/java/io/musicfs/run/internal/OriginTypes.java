package io.musicfs.run.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The origin types a user can configure, and how their settings are spelled: in the config file
 * (kebab-case keys), in an {@code --origin} URI (query parameters), and as the component's
 * configuration properties (what the origin bundle reads).
 */
final class OriginTypes {

    /** One user-facing setting of an origin type. */
    private record Setting(String key, String property, boolean path) {
    }

    private static final Map<String, List<Setting>> SETTINGS = Map.of(
            "local", List.of(new Setting("path", "path", true)),
            "s3", List.of(new Setting("bucket", "bucket", false), new Setting("prefix", "prefix", false),
                    new Setting("endpoint", "endpoint", false), new Setting("region", "region", false),
                    new Setting("path-style", "pathStyle", false), new Setting("credentials-file", "credentialsFile", true),
                    new Setting("profile", "profile", false)),
            "sftp", List.of(new Setting("host", "host", false), new Setting("port", "port", false),
                    new Setting("user", "user", false), new Setting("path", "path", false),
                    new Setting("key", "privateKeyFile", true), new Setting("passphrase-file", "passphraseFile", true),
                    new Setting("known-hosts", "knownHostsFile", true)));

    /** Settings an origin of the type cannot do without. */
    private static final Map<String, List<String>> REQUIRED = Map.of(
            "local", List.of("path"), "s3", List.of("bucket"), "sftp", List.of("host", "path"));

    private OriginTypes() {
    }

    static Set<String> types() {
        return new TreeSet<>(SETTINGS.keySet());
    }

    /** @return the keys a config-file section of this type may hold (besides type and priority) */
    static Set<String> keys(String type) {
        Set<String> keys = new TreeSet<>();
        SETTINGS.get(type).forEach(s -> keys.add(s.key()));
        return keys;
    }

    /**
     * Turns user settings (config-file keys) into component properties, expanding {@code ~} in
     * file settings.
     *
     * @throws UsageException naming the origin when a required setting is missing
     */
    static Map<String, String> properties(String id, String type, Map<String, String> settings, Path home) throws UsageException {
        for (String required : REQUIRED.get(type)) {
            String value = settings.get(required);
            if (value == null || value.isBlank()) {
                throw new UsageException("origin '" + id + "' (" + type + ") has no " + required);
            }
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (Setting setting : SETTINGS.get(type)) {
            String value = settings.get(setting.key());
            if (value != null) {
                properties.put(setting.property(), setting.path() ? Paths.expand(value, home).toString() : value);
            }
        }
        return properties;
    }

    /** An origin named on the command line: a folder, or an {@code s3://} or {@code sftp://} URI. */
    record Parsed(String type, String suggestedId, Integer priority, Map<String, String> settings) {
    }

    static Parsed parse(String origin) throws UsageException {
        if (origin.startsWith("s3://") || origin.startsWith("sftp://") || origin.startsWith("file://")) {
            return parseUri(origin);
        }
        if (origin.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new UsageException("--origin " + origin + ": unknown origin type (use a folder, s3://bucket/prefix or sftp://user@host/path)");
        }
        return new Parsed("local", OriginIdRule.fromFolder(origin), null, Map.of("path", origin));
    }

    private static Parsed parseUri(String text) throws UsageException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageException("--origin " + text + ": not a valid URI (" + e.getReason() + ")");
        }
        Map<String, String> query = query(text, uri.getRawQuery());
        Integer priority = null;
        String priorityText = query.remove("priority");
        if (priorityText != null) {
            try {
                priority = Integer.parseInt(priorityText);
            } catch (NumberFormatException e) {
                throw new UsageException("--origin " + text + ": priority '" + priorityText + "' is not a whole number");
            }
        }
        String id = query.remove("id");
        String type = uri.getScheme();
        Map<String, String> settings = new LinkedHashMap<>();
        switch (type) {
            case "file" -> {
                settings.put("path", uri.getPath());
                type = "local";
                id = id != null ? id : OriginIdRule.fromFolder(uri.getPath());
            }
            case "s3" -> {
                if (uri.getHost() == null || uri.getHost().isBlank()) {
                    throw new UsageException("--origin " + text + ": no bucket (s3://BUCKET/prefix)");
                }
                settings.put("bucket", uri.getHost());
                String prefix = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+", "");
                if (!prefix.isEmpty()) {
                    settings.put("prefix", prefix);
                }
                id = id != null ? id : OriginIdRule.fromFolder(uri.getHost());
            }
            default -> { // sftp
                if (uri.getHost() == null) {
                    throw new UsageException("--origin " + text + ": no host (sftp://user@HOST:port/path)");
                }
                settings.put("host", uri.getHost());
                if (uri.getPort() > 0) {
                    settings.put("port", Integer.toString(uri.getPort()));
                }
                if (uri.getUserInfo() != null) {
                    if (uri.getUserInfo().contains(":")) {
                        throw new UsageException("--origin " + text.replaceFirst("//[^@/]*@", "//***@")
                                + ": passwords in the URI are not supported; use a key (?key=FILE)");
                    }
                    settings.put("user", uri.getUserInfo());
                }
                settings.put("path", uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath());
                id = id != null ? id : OriginIdRule.fromFolder(uri.getHost());
            }
        }
        for (Map.Entry<String, String> parameter : query.entrySet()) {
            if (!keys(type).contains(parameter.getKey()) || settings.containsKey(parameter.getKey())) {
                throw new UsageException("--origin " + text + ": unknown parameter '" + parameter.getKey() + "' for a " + type
                        + " origin (known: " + String.join(", ", keys(type)) + ", id, priority)");
            }
            settings.put(parameter.getKey(), parameter.getValue());
        }
        return new Parsed(type, id, priority, settings);
    }

    private static Map<String, String> query(String text, String raw) throws UsageException {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--origin " + text + ": parameter '" + pair + "' has no value (name=value)");
            }
            query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }
}
