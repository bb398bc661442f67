package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

    static final Path HOME = Path.of("/home/ann");

    @TempDir
    Path tmp;

    static Settings mount(Map<String, String> env, String... args) throws UsageException {
        return assertInstanceOf(CommandLine.MountCommand.class, CommandLine.parse(args, env, HOME)).settings();
    }

    @Test
    void originsFromTheCommandLineInPriorityOrderWithIdsFromFolderNames() throws UsageException {
        Settings s = mount(Map.of(), "mount", "--origin", "~/Music", "--origin", "/srv/music/", "--origin", "/mnt/b/Music", "~/mnt/music");
        assertEquals(Path.of("/home/ann/mnt/music"), s.mountPoint());
        assertEquals(List.of(
                new OriginSpec("Music", "local", 1, Map.of("path", "/home/ann/Music")),
                new OriginSpec("music", "local", 2, Map.of("path", "/srv/music")),
                new OriginSpec("Music-2", "local", 3, Map.of("path", "/mnt/b/Music"))), s.origins());
    }

    @Test
    void cacheDefaultsToXdgThenHome() throws UsageException {
        assertEquals(Path.of("/xdg/musicfs"), mount(Map.of("XDG_CACHE_HOME", "/xdg"), "mount", "--origin", "/m", "/mnt").cacheDir());
        assertEquals(Path.of("/home/ann/.cache/musicfs"), mount(Map.of(), "mount", "--origin", "/m", "/mnt").cacheDir());
        assertEquals(Path.of("/home/ann/.cache/musicfs"), mount(Map.of("XDG_CACHE_HOME", "relative"), "mount", "--origin", "/m", "/mnt").cacheDir());
        assertEquals(Path.of("/c"), mount(Map.of("XDG_CACHE_HOME", "/xdg"), "mount", "--origin", "/m", "--cache", "/c", "/mnt").cacheDir());
    }

    @Test
    void mistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertTrue(message("mount", "/mnt").contains("no origin given"));
        assertTrue(message("mount", "--origin", "/m").contains("no mount point given"));
        assertTrue(message("mount", "--origin").contains("--origin needs a value"));
        assertTrue(message("mount", "--orign", "/m", "/mnt").contains("unknown option '--orign'"));
        assertTrue(message("mount", "--origin", "/m", "/a", "/b").contains("more than one mount point"));
        assertTrue(message("mnt").contains("unknown command 'mnt'"));
        assertTrue(message().contains("no command given"));
    }

    @Test
    void remoteOriginsFromUris() throws UsageException {
        Settings s = mount(Map.of(), "mount",
                "--origin", "s3://music-bucket/library/flac?endpoint=http://127.0.0.1:9000&region=eu-west-1&credentials-file=~/.aws/mfs",
                "--origin", "sftp://ann@nas.local:2222/srv/music?key=~/.ssh/nas&known-hosts=/etc/ssh/known",
                "--origin", "~/Music",
                "--origin", "sftp://nas.local/other?id=nas2&priority=0",
                "/mnt");
        assertEquals(List.of(
                new OriginSpec("music-bucket", "s3", 1, Map.of("bucket", "music-bucket", "prefix", "library/flac",
                        "endpoint", "http://127.0.0.1:9000", "region", "eu-west-1", "credentialsFile", "/home/ann/.aws/mfs")),
                new OriginSpec("nas.local", "sftp", 2, Map.of("host", "nas.local", "port", "2222", "user", "ann",
                        "path", "/srv/music", "privateKeyFile", "/home/ann/.ssh/nas", "knownHostsFile", "/etc/ssh/known")),
                new OriginSpec("Music", "local", 3, Map.of("path", "/home/ann/Music")),
                new OriginSpec("nas2", "sftp", 0, Map.of("host", "nas.local", "path", "/other"))), s.origins());
    }

    @Test
    void badOriginUrisSayWhatIsWrong() {
        assertTrue(message("mount", "--origin", "ftp://x/y", "/mnt").contains("unknown origin type"));
        assertTrue(message("mount", "--origin", "s3:///prefix", "/mnt").contains("no bucket"));
        assertTrue(message("mount", "--origin", "s3://b?colour=red", "/mnt").contains("unknown parameter 'colour' for a s3 origin"));
        assertTrue(message("mount", "--origin", "s3://b?priority=first", "/mnt").contains("priority 'first' is not a whole number"));
        String secret = message("mount", "--origin", "sftp://ann:hunter2@nas/srv", "/mnt");
        assertTrue(secret.contains("passwords in the URI are not supported") && !secret.contains("hunter2"), secret);
    }

    @Test
    void helpAndVersion() throws UsageException {
        assertInstanceOf(CommandLine.Help.class, CommandLine.parse(new String[] {"--help"}, Map.of(), HOME));
        assertInstanceOf(CommandLine.Version.class, CommandLine.parse(new String[] {"--version"}, Map.of(), HOME));
    }

    @Test
    void configFileAndCommandLineTogether() throws IOException, UsageException {
        Path conf = tmp.resolve("musicfs.conf");
        Files.writeString(conf, String.join("\n",
                "# my library",
                "mount = ~/mnt/music",
                "cache = /var/cache/musicfs",
                "allow-other = yes",
                "poll-interval = 60",
                "cache-limit = 20G",
                "",
                "[origin nas]",
                "path = /srv/music",
                "priority = 5",
                "[origin laptop]",
                "type = local",
                "path = ~/Music",
                "[paths]",
                "default = {artist}/{title}.{ext}"));
        Settings s = mount(Map.of(), "mount", "--config", conf.toString(), "--origin", "/extra");
        assertEquals(Path.of("/home/ann/mnt/music"), s.mountPoint());
        assertEquals(Path.of("/var/cache/musicfs"), s.cacheDir());
        assertTrue(s.allowOther());
        assertEquals(60, s.pollIntervalSeconds());
        assertEquals(20L << 30, s.cacheLimitBytes());
        assertEquals(null, mount(Map.of(), "mount", "/m", "--origin", "/a").cacheLimitBytes());
        assertEquals(5, mount(Map.of(), "mount", "--config", conf.toString(), "--poll-interval", "5").pollIntervalSeconds());
        assertEquals(List.of(
                new OriginSpec("nas", "local", 5, Map.of("path", "/srv/music")),
                new OriginSpec("laptop", "local", 2, Map.of("path", "/home/ann/Music")),
                new OriginSpec("extra", "local", 6, Map.of("path", "/extra"))), s.origins());
        assertEquals(Map.of("default", "{artist}/{title}.{ext}"), s.pathPatterns());
        assertEquals(Path.of("/elsewhere"), mount(Map.of(), "mount", "--config", conf.toString(), "/elsewhere").mountPoint());
    }

    @Test
    void configFileMistakesNameTheFileAndLine() throws IOException {
        assertConfigError("mount = /m\npathh = x\n", "musicfs.conf:2: unknown key 'pathh'");
        assertConfigError("[origin nas]\npath = /a\n[origin nas]\npath = /b\n", "musicfs.conf:3: origin 'nas' is defined twice");
        assertConfigError("[origin bad id]\npath = /a\n", "musicfs.conf:1: 'bad id' is not a valid origin id");
        assertConfigError("[origin nas]\ntype = ftp\npath = /a\n", "musicfs.conf:1: origin 'nas' has unknown type 'ftp' (known: local, s3, sftp)");
        assertConfigError("[origin nas]\npriority = high\npath = /a\n", "priority 'high' is not a whole number");
        assertConfigError("[origin nas]\n", "musicfs.conf:1: origin 'nas' (local) has no path");
        assertConfigError("[origin b]\ntype = s3\nprefix = x\n", "musicfs.conf:1: origin 'b' (s3) has no bucket");
        assertConfigError("[origin b]\ntype = s3\nbucket = x\nhost = y\n", "unknown key 'host' for a s3 origin");
        assertConfigError("[origin nas]\npath = /a\nuser = x\n", "unknown key 'user' for a local origin");
        assertConfigError("[cache]\n", "musicfs.conf:1: unknown section [cache]");
        assertConfigError("mount /m\n", "musicfs.conf:1: expected 'key = value'");
        assertConfigError("poll-interval = soon\n[origin a]\npath=/a\n", "poll-interval: 'soon' is not a number of seconds");
        assertConfigError("cache-limit = lots\n[origin a]\npath=/a\n", "cache-limit: 'lots' is not a size");
        assertConfigError("cache-limit = 0\n[origin a]\npath=/a\n", "cache-limit: '0' is not a size");
        assertConfigError("allow-other = maybe\n[origin a]\npath=/a\n", "allow-other: 'maybe' is not true or false");
        assertTrue(message("mount", "--config", tmp.resolve("nope.conf").toString(), "/m").contains("nope.conf does not exist"));
    }

    @Test
    void theHttpListenerIsOnLoopbackUnlessTheConfigFileSaysOtherwise() throws IOException, UsageException {
        assertEquals("127.0.0.1", mount(Map.of(), "mount", "--origin", "/a", "/m").control().address());
        Path conf = tmp.resolve("musicfs.conf");
        Files.writeString(conf, "[control]\nport = 9100\n[origin a]\npath = /a\n");
        Settings settings = mount(Map.of(), "mount", "--config", conf.toString(), "/m");
        assertEquals("127.0.0.1", settings.control().address());
        assertEquals(9100, settings.control().port());
    }

    private void assertConfigError(String contents, String expected) throws IOException {
        Path conf = tmp.resolve("musicfs.conf");
        Files.writeString(conf, contents);
        String message = message("mount", "--config", conf.toString(), "/mnt");
        assertTrue(message.contains(expected), message);
    }

    private static String message(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args, Map.of(), HOME)).getMessage();
    }
}
