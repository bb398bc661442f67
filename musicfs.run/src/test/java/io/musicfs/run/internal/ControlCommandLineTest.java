package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.musicfs.run.internal.control.ControlRequest;
import io.musicfs.run.internal.control.ControlSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control commands on the command line and the [control] and [webhook] sections of the config file. */
class ControlCommandLineTest {

    static final Path HOME = Path.of("/home/ann");

    @TempDir
    Path tmp;

    static CommandLine.ControlCommand control(Map<String, String> env, String... args) throws UsageException {
        return assertInstanceOf(CommandLine.ControlCommand.class, CommandLine.parse(args, env, HOME));
    }

    static String usageError(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args, Map.of(), HOME)).getMessage();
    }

    @Test
    void commandsFindTheDaemonByTheCacheFolderAsMountDoes() throws Exception {
        assertEquals(Path.of("/xdg/musicfs"), control(Map.of("XDG_CACHE_HOME", "/xdg"), "status").cacheDir());
        assertEquals(Path.of("/home/ann/.cache/musicfs"), control(Map.of(), "status").cacheDir());
        assertEquals(Path.of("/home/ann/c"), control(Map.of(), "origins", "--cache", "~/c").cacheDir());
        Path conf = Files.writeString(tmp.resolve("musicfs.conf"), "cache = /srv/cache\n[origin a]\npath = /a\n");
        assertEquals(Path.of("/srv/cache"), control(Map.of(), "status", "--config", conf.toString()).cacheDir());
    }

    @Test
    void commandsAndTheirArguments() throws Exception {
        ControlRequest events = control(Map.of(), "events", "--type", "library", "--origin", "nas", "--json").request();
        assertEquals("library", events.type());
        assertEquals("nas", events.origin());
        assertTrue(events.json());
        assertEquals(List.of("clear", "nas"), control(Map.of(), "cache", "clear", "nas").request().arguments());
        assertEquals(2.5, control(Map.of(), "shutdown", "--timeout", "2.5").request().timeout());
        assertEquals(List.of("/A", "/B C"), control(Map.of(), "prefetch", "/A", "/B C").request().arguments());

        assertTrue(usageError("rescan").startsWith("rescan needs exactly one origin id"));
        assertTrue(usageError("cache").startsWith("cache needs stats, verify or clear"));
        assertTrue(usageError("cache", "verify", "nas").startsWith("only 'cache clear' takes an origin id"));
        assertTrue(usageError("prefetch").startsWith("prefetch needs at least one path"));
        assertTrue(usageError("status", "--type", "x").startsWith("--type is an option of 'events', not of 'status'"));
        assertTrue(usageError("shutdown", "--timeout", "soon").startsWith("--timeout: 'soon' is not a number of seconds"));
        assertTrue(usageError("origins", "--frobnicate").startsWith("unknown option '--frobnicate' for origins"));
        assertTrue(usageError("status", "--cache", "/a", "--config", "/b").startsWith("give --cache or --config, not both"));
    }

    @Test
    void controlAndWebhookSectionsOfTheConfigFile() throws Exception {
        Path secret = Files.writeString(tmp.resolve("hook.secret"), "from-a-file\n");
        Path conf = Files.writeString(tmp.resolve("musicfs.conf"), String.join("\n",
                "mount = /mnt", "[origin a]", "path = /a",
                "[control]", "address = 127.0.0.1", "port = 7450",
                "[webhook ops]", "url = https://hooks.example/in", "secret = inline", "events = library, health/ORIGIN_HEALTH",
                "[webhook chat]", "url = http://127.0.0.1:9000/x", "secret-file = " + secret, ""));
        Settings settings = assertInstanceOf(CommandLine.MountCommand.class,
                CommandLine.parse(new String[] {"mount", "--config", conf.toString()}, Map.of(), HOME)).settings();
        ControlSettings control = settings.control();
        assertEquals(7450, control.port());
        assertEquals(List.of(new ControlSettings.Webhook("ops", "https://hooks.example/in", "inline", List.of("library", "health/ORIGIN_HEALTH")),
                new ControlSettings.Webhook("chat", "http://127.0.0.1:9000/x", "from-a-file", List.of())), control.webhooks());
        assertFalse(control.toString().contains("inline"), "secrets are not printed");
        assertEquals("from-a-file", ControlSettings.webhookProperties(control.webhooks().get(1)).get(".secret"),
                "the secret goes in a private (dot) property, never a service property");
        assertEquals(ControlSettings.DEFAULT, assertInstanceOf(CommandLine.MountCommand.class,
                CommandLine.parse(new String[] {"mount", "--origin", "/a", "/mnt"}, Map.of(), HOME)).settings().control());
    }

    @Test
    void wrongControlValuesNameTheKey() throws IOException {
        assertConfigError("[control]\nport = 70000\n", "[control] port: '70000' is not a TCP port (0 to 65535; 0 takes any free port)");
        assertConfigError("[control]\naddress = example.com\n", "[control] address: 'example.com' is not an IP address");
        assertConfigError("[control]\nlisten = 1\n", "musicfs.conf:2: unknown key 'listen' in [control] (known: address, port)");
        assertConfigError("[webhook ops]\nurl = ftp://x\nsecret = s\n", "[webhook ops] url: 'ftp://x' is not an http or https URL");
        assertConfigError("[webhook ops]\nurl = http://x/\n", "[webhook ops] secret: set exactly one of 'secret' and 'secret-file'");
        assertConfigError("[webhook ops]\nurl = http://x/\nsecret-file = /nonexistent/s\n", "[webhook ops] secret-file: cannot read /nonexistent/s");
        assertConfigError("[webhook a]\nurl = http://x/\nsecret = s\n[webhook a]\n", "musicfs.conf:4: webhook 'a' is defined twice");
    }

    private void assertConfigError(String contents, String expected) throws IOException {
        Path conf = Files.writeString(tmp.resolve("musicfs.conf"), contents + "[origin a]\npath = /a\n");
        String message = usageError("mount", "--config", conf.toString(), "/mnt");
        assertTrue(message.contains(expected), message);
    }
}
