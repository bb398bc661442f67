package io.musicfs.run.internal.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The config file's {@code [control]} section (where the control API listens) and its
 * {@code [webhook NAME]} sections, checked.
 *
 * @param address the address the API listens on
 * @param port the TCP port, 0 for any free port
 * @param webhooks the webhooks, in file order
 */
public record ControlSettings(String address, int port, List<Webhook> webhooks) {

    public static final ControlSettings DEFAULT = new ControlSettings("127.0.0.1", 0, List.of());

    public static final Set<String> CONTROL_KEYS = Set.of("address", "port");
    public static final Set<String> WEBHOOK_KEYS = Set.of("url", "secret", "secret-file", "events");

    /**
     * One webhook.
     *
     * @param name the section's name
     * @param url where events are POSTed
     * @param secret the HMAC key; never printed
     * @param events the event types sent; empty for all
     */
    public record Webhook(String name, String url, String secret, List<String> events) {
        @Override
        public String toString() {
            return "Webhook[" + name + ", secret redacted]";
        }
    }

    /**
     * Checks the sections.
     *
     * @param control the {@code [control]} keys, or an empty map
     * @param webhooks each {@code [webhook NAME]} section's keys by name
     * @throws IllegalArgumentException naming the section and key that is wrong
     */
    public static ControlSettings parse(Map<String, String> control, Map<String, Map<String, String>> webhooks, Path home) {
        String address = control.getOrDefault("address", DEFAULT.address()).strip();
        if (!address.matches("[0-9a-fA-F:.]+|localhost")) {
            throw new IllegalArgumentException("[control] address: '" + address + "' is not an IP address (for example 127.0.0.1)");
        }
        int port = DEFAULT.port();
        if (control.containsKey("port")) {
            String text = control.get("port").strip();
            try {
                port = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("[control] port: '" + text + "' is not a TCP port (0 to 65535; 0 takes any free port)");
            }
        }
        List<Webhook> hooks = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> entry : webhooks.entrySet()) {
            hooks.add(webhook(entry.getKey(), entry.getValue(), home));
        }
        return new ControlSettings(address, port, List.copyOf(hooks));
    }

    private static Webhook webhook(String name, Map<String, String> keys, Path home) {
        String where = "[webhook " + name + "] ";
        String url = keys.get("url");
        if (url == null || !url.strip().matches("https?://[^/\\s]+.*")) {
            throw new IllegalArgumentException(where + "url: " + (url == null ? "not set" : "'" + url.strip() + "' is not an http or https URL"));
        }
        String secret = keys.get("secret");
        String secretFile = keys.get("secret-file");
        if ((secret == null) == (secretFile == null)) {
            throw new IllegalArgumentException(where + "secret: set exactly one of 'secret' and 'secret-file' (the key receivers check "
                    + "X-MusicFS-Signature with)");
        }
        if (secretFile != null) {
            Path file = secretFile.startsWith("~/") ? home.resolve(secretFile.substring(2)) : Path.of(secretFile).toAbsolutePath();
            try {
                secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(where + "secret-file: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (secret.isBlank()) {
            throw new IllegalArgumentException(where + "secret: empty");
        }
        List<String> events = keys.containsKey("events")
                ? Arrays.stream(keys.get("events").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()
                : List.of();
        return new Webhook(name, url.strip(), secret, events);
    }

    /** @return the Configuration Admin properties of the control component */
    public Map<String, Object> componentProperties(Path cacheDir) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("address", address);
        props.put("port", port);
        props.put("stateDir", cacheDir.toString());
        return props;
    }

    /** @return the Configuration Admin properties of one webhook; the secret goes in the private {@code .secret} */
    public static Map<String, Object> webhookProperties(Webhook hook) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("name", hook.name());
        props.put("url", hook.url());
        props.put(".secret", hook.secret());
        props.put("events", hook.events().toArray(String[]::new));
        return props;
    }
}
