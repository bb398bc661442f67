package io.musicfs.catalog.internal.sync;

import java.util.Locale;
import java.util.Set;

import io.musicfs.catalog.internal.tags.AudioContainer;

/**
 * Which origin files the catalog lists (docs/paths.md, "Which files are listed"): the audio
 * extensions in any case, and nothing whose name, or the name of a folder above it, starts with a
 * dot.
 */
public final class ListedFiles {

    private ListedFiles() {
    }

    /** @param path a relative path with {@code /} separators */
    public static boolean isListed(String path) {
        return AudioContainer.forPath(path) != null && !isHidden(path);
    }

    /**
     * @return whether the path names a file that is not audio by its extension (artwork, playlists,
     *     notes, checksums): a watcher event for it cannot bring a listed file. Anything else
     *     ({@code Vol. 2} included) may be a folder.
     */
    static boolean isSurelyNotAudio(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot <= slash + 1) {
            return false;
        }
        return NOT_AUDIO.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Extensions of the files that sit next to music and are never audio. */
    private static final Set<String> NOT_AUDIO = Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff",
            "txt", "nfo", "log", "cue", "m3u", "m3u8", "pls", "pdf", "sfv", "md5", "ffp", "accurip", "db", "ini", "tmp",
            "part", "crdownload", "lrc");

    /** @return whether any segment of the path starts with a dot */
    static boolean isHidden(String path) {
        if (path.startsWith(".")) {
            return true;
        }
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            if (i + 1 < path.length() && path.charAt(i + 1) == '.') {
                return true;
            }
        }
        return false;
    }
}
