package io.musicfs.catalog.internal.tags;

import java.util.Locale;

/**
 * The container a file's extension promises (docs/paths.md, "Which files are listed"). The tag
 * reader holds a file to this promise: a file whose bytes are not this container is unreadable.
 * The audio format inside (for example AAC or ALAC in MP4) is decided from the bytes.
 */
public enum AudioContainer {
    FLAC("flac"),
    MP3("mp3"),
    /** {@code .ogg} and {@code .oga}: Vorbis, Opus or FLAC in Ogg. */
    OGG("ogg"),
    /** {@code .opus}: Opus in Ogg, nothing else. */
    OPUS("ogg"),
    /** {@code .m4a}, {@code .m4b}, {@code .mp4}: AAC or ALAC in MP4. */
    MP4("m4a"),
    WAV("wav"),
    AIFF("aif");

    /** The extension jaudiotagger is told the temporary copy has. */
    final String parserExtension;

    AudioContainer(String parserExtension) {
        this.parserExtension = parserExtension;
    }

    /**
     * @param path a file name or relative path
     * @return the container its extension promises, or {@code null} when the extension is not an
     *     audio extension MusicFS lists
     */
    public static AudioContainer forPath(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot <= slash + 1 || dot == path.length() - 1) {
            return null; // no extension, or a name that is only ".ext"
        }
        return switch (path.substring(dot + 1).toLowerCase(Locale.ROOT)) {
            case "flac" -> FLAC;
            case "mp3" -> MP3;
            case "ogg", "oga" -> OGG;
            case "opus" -> OPUS;
            case "m4a", "m4b", "mp4" -> MP4;
            case "wav" -> WAV;
            case "aif", "aiff", "aifc" -> AIFF;
            default -> null;
        };
    }
}
