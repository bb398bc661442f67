package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Vorbis comment structure shared by FLAC's {@code VORBIS_COMMENT} block, the Ogg Vorbis comment
 * packet and {@code OpusTags}: a vendor string and {@code KEY=value} fields, UTF-8, with
 * little-endian 32-bit lengths. The field names are the ones jaudiotagger and ffmpeg both map
 * ({@code ALBUMARTIST}, {@code TRACKTOTAL}, {@code DISCTOTAL}, {@code COMPILATION=1}).
 */
final class VorbisComment {

    private VorbisComment() {
    }

    /**
     * @param slashedNumbers write {@code TRACKNUMBER=3/12} and {@code DISCNUMBER=1/2} instead of
     *        separate total fields
     * @return the fields for {@code tags}, the title last (so a file cut inside its comment has none)
     */
    static List<String> fields(Tags tags, boolean slashedNumbers) {
        List<String> f = new ArrayList<>();
        add(f, "ARTIST", tags.artist());
        add(f, "ALBUMARTIST", tags.albumArtist());
        add(f, "ALBUM", tags.album());
        numbers(f, "TRACKNUMBER", "TRACKTOTAL", tags.track(), tags.trackTotal(), slashedNumbers);
        numbers(f, "DISCNUMBER", "DISCTOTAL", tags.disc(), tags.discTotal(), slashedNumbers);
        add(f, "DATE", tags.date());
        add(f, "GENRE", tags.genre());
        add(f, "COMPOSER", tags.composer());
        if (tags.compilation()) {
            f.add("COMPILATION=1");
        }
        add(f, "TITLE", tags.title());
        return f;
    }

    /** @return vendor and fields, without the framing bit that only the Ogg Vorbis packet has */
    static byte[] encode(String vendor, List<String> fields) {
        ByteSink out = new ByteSink(256);
        lengthPrefixed(out, vendor);
        out.u32le(fields.size());
        for (String field : fields) {
            lengthPrefixed(out, field);
        }
        return out.toByteArray();
    }

    /** @return the vendor string of a comment structure starting at {@code offset} */
    static String vendor(byte[] data, int offset) {
        int length = (int) ByteSink.u32le(data, offset);
        return new String(data, offset + 4, length, StandardCharsets.UTF_8);
    }

    private static void numbers(List<String> f, String numberKey, String totalKey, int number, int total,
                                boolean slashed) {
        if (number == 0) {
            return;
        }
        if (slashed && total > 0) {
            f.add(numberKey + "=" + number + "/" + total);
            return;
        }
        f.add(numberKey + "=" + number);
        if (total > 0) {
            f.add(totalKey + "=" + total);
        }
    }

    private static void add(List<String> f, String key, String value) {
        if (value != null) {
            f.add(key + "=" + value);
        }
    }

    private static void lengthPrefixed(ByteSink out, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.u32le(utf8.length).bytes(utf8);
    }
}
