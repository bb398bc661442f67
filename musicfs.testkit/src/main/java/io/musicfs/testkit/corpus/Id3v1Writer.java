package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the 128-byte ID3v1.1 tag that ends an MP3 file: Latin-1 fields of 30 bytes (longer values
 * are cut, characters outside Latin-1 become {@code ?}), the year, the track number and a genre
 * index. The album artist, disc and composer have no place in it.
 */
final class Id3v1Writer {

    static final int SIZE = 128;
    /** The genres the generator uses, at their index in the ID3v1 genre list. */
    static final List<String> GENRES = List.of("Blues", "Classic Rock", "Country", "Dance", "Disco", "Funk",
            "Grunge", "Hip-Hop", "Jazz", "Metal", "New Age", "Oldies", "Other", "Pop", "R&B", "Rap", "Reggae",
            "Rock", "Techno", "Industrial", "Alternative", "Ska", "Death Metal", "Pranks", "Soundtrack");
    private static final int NO_GENRE = 255;

    private Id3v1Writer() {
    }

    static byte[] write(Tags tags) {
        ByteSink out = new ByteSink(SIZE);
        out.ascii("TAG");
        field(out, tags.title(), 30);
        field(out, tags.artist(), 30);
        field(out, tags.album(), 30);
        field(out, tags.year(), 4);
        field(out, null, 28);
        out.u8(0).u8(Math.min(tags.track(), 255));
        int genre = tags.genre() == null ? -1 : GENRES.indexOf(tags.genre());
        out.u8(genre < 0 ? NO_GENRE : genre);
        return out.toByteArray();
    }

    private static void field(ByteSink out, String value, int length) {
        byte[] latin1 = value == null ? new byte[0] : value.getBytes(StandardCharsets.ISO_8859_1);
        int used = Math.min(latin1.length, length);
        out.bytes(latin1, 0, used).zeros(length - used);
    }
}
