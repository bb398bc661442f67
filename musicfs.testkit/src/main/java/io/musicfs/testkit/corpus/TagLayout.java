package io.musicfs.testkit.corpus;

import java.util.Arrays;

/**
 * Where and how a file's tags are stored. Each layout belongs to one {@link AudioFormat}; MP3 has
 * several so that every ID3 writer the product must read is exercised.
 */
public enum TagLayout {
    /** No tags at all, or none that can be read. */
    NONE("none", null),
    /** A FLAC {@code VORBIS_COMMENT} block, numbers as {@code TRACKNUMBER=3}, {@code TRACKTOTAL=12}. */
    FLAC_VORBIS_COMMENT("vorbis-comment", AudioFormat.FLAC),
    /** A FLAC {@code VORBIS_COMMENT} block, numbers as {@code TRACKNUMBER=3/12}, {@code DISCNUMBER=1/2}. */
    FLAC_VORBIS_COMMENT_SLASHED("vorbis-comment-slashed", AudioFormat.FLAC),
    /** ID3v2.3 with UTF-16 text frames. */
    ID3V23("id3v2.3", AudioFormat.MP3),
    /** ID3v2.4 with UTF-8 text frames. */
    ID3V24("id3v2.4", AudioFormat.MP3),
    /** ID3v2.3 at the head and ID3v1.1 at the tail. */
    ID3V23_ID3V1("id3v2.3+id3v1", AudioFormat.MP3),
    /** ID3v2.4 at the head and ID3v1.1 at the tail. */
    ID3V24_ID3V1("id3v2.4+id3v1", AudioFormat.MP3),
    /** ID3v1.1 alone: title, artist, album, year, track, genre; Latin-1, 30 bytes each. */
    ID3V1("id3v1", AudioFormat.MP3),
    /** The Vorbis comment header packet of an Ogg Vorbis stream. */
    OGG_VORBIS_COMMENT("ogg-vorbis-comment", AudioFormat.OGG_VORBIS),
    /** The {@code OpusTags} header packet of an Ogg Opus stream. */
    OPUS_TAGS("opus-tags", AudioFormat.OPUS),
    /** iTunes items in {@code moov/udta/meta/ilst}. */
    MP4_ILST("mp4-ilst", AudioFormat.M4A),
    /** An {@code id3 } chunk holding ID3v2.3, after the audio data. */
    WAV_ID3V23("wav-id3v2.3", AudioFormat.WAV),
    /**
     * A RIFF {@code LIST/INFO} chunk and an {@code id3 } chunk holding ID3v2.3, both after the data.
     * jaudiotagger reads the ID3 chunk, ffmpeg only INFO, so the generator uses this layout only
     * for tags whose path INFO alone gives (see {@code WavTagWriter.infoHoldsPath}).
     */
    RIFF_INFO_ID3V23("riff-info+id3v2.3", AudioFormat.WAV),
    /** An AIFF {@code ID3 } chunk holding ID3v2.4. */
    AIFF_ID3V24("aiff-id3v2.4", AudioFormat.AIFF);

    private final String id;
    private final AudioFormat format;

    TagLayout(String id, AudioFormat format) {
        this.id = id;
        this.format = format;
    }

    /** @return the name used in the truth file, e.g. {@code id3v2.3+id3v1} */
    public String id() {
        return id;
    }

    /** @return the format this layout is written into, {@code null} for {@link #NONE} */
    public AudioFormat format() {
        return format;
    }

    /** @return the layout bulk tracks of {@code format} get when no variant is asked for */
    public static TagLayout defaultFor(AudioFormat format) {
        return switch (format) {
            case FLAC -> FLAC_VORBIS_COMMENT;
            case MP3 -> ID3V24;
            case OGG_VORBIS -> OGG_VORBIS_COMMENT;
            case OPUS -> OPUS_TAGS;
            case M4A -> MP4_ILST;
            case WAV -> WAV_ID3V23;
            case AIFF -> AIFF_ID3V24;
        };
    }

    /** @throws IllegalArgumentException when {@code id} names no layout */
    public static TagLayout byId(String id) {
        return Arrays.stream(values()).filter(l -> l.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown tag layout '" + id + "'"));
    }
}
