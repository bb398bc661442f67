package io.musicfs.testkit.corpus;

import java.util.Arrays;

/** An audio container the generator makes, with the extension its files get. */
public enum AudioFormat {
    FLAC("flac", "flac"),
    MP3("mp3", "mp3"),
    OGG_VORBIS("ogg-vorbis", "ogg"),
    OPUS("opus", "opus"),
    M4A("m4a", "m4a"),
    WAV("wav", "wav"),
    AIFF("aiff", "aiff");

    private final String id;
    private final String extension;

    AudioFormat(String id, String extension) {
        this.id = id;
        this.extension = extension;
    }

    /** @return the name used in the truth file and on the command line, e.g. {@code ogg-vorbis} */
    public String id() {
        return id;
    }

    /** @return the file extension, lower case, without the dot */
    public String extension() {
        return extension;
    }

    /** @throws IllegalArgumentException naming the known ids when {@code id} is none of them */
    public static AudioFormat byId(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown audio format '" + id + "', known: "
                        + Arrays.toString(Arrays.stream(values()).map(AudioFormat::id).toArray())));
    }
}
