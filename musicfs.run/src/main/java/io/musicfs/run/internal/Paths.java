package io.musicfs.run.internal;

import java.nio.file.Path;

/** Path spelling rules of the command line and the config file. */
final class Paths {

    private Paths() {
    }

    /** Expands a leading {@code ~} to the home folder and makes the path absolute. */
    static Path expand(String path, Path home) {
        String p = path.strip();
        if (p.equals("~")) {
            return home;
        }
        if (p.startsWith("~/")) {
            return home.resolve(p.substring(2)).normalize();
        }
        return Path.of(p).toAbsolutePath().normalize();
    }

    /** The default cache folder: {@code $XDG_CACHE_HOME/musicfs}, else {@code ~/.cache/musicfs}. */
    static Path defaultCache(String xdgCacheHome, Path home) {
        if (xdgCacheHome != null && !xdgCacheHome.isBlank() && Path.of(xdgCacheHome).isAbsolute()) {
            return Path.of(xdgCacheHome, "musicfs");
        }
        return home.resolve(".cache/musicfs");
    }

    /** Shortens the home folder to {@code ~} for messages. */
    static String show(Path path, Path home) {
        String p = path.toString();
        String h = home.toString();
        if (p.equals(h)) {
            return "~";
        }
        return p.startsWith(h + "/") ? "~" + p.substring(h.length()) : p;
    }
}
