package io.musicfs.catalog.internal.tags;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Parses a Vorbis comment block (FLAC's VORBIS_COMMENT, Ogg Vorbis' comment header, OpusTags):
 * a vendor string, then {@code KEY=value} fields, each length-prefixed little-endian. Every length
 * is checked against the bytes present before anything is allocated, so a hostile block costs at
 * most its own size. The first value of a key wins.
 */
final class VorbisComments {

    /** A field longer than this is an embedded picture (METADATA_BLOCK_PICTURE) or garbage: not decoded. */
    private static final int MAX_FIELD_BYTES = 64 * 1024;

    private VorbisComments() {
    }

    /**
     * @param data the block
     * @param offset where the vendor length starts
     * @param end where the block ends
     */
    static TagValues parse(byte[] data, int offset, int end) throws UnreadableException {
        int pos = offset;
        if (end - pos < 8) {
            throw new UnreadableException("its Vorbis comment block is " + (end - pos) + " bytes, too short");
        }
        long vendorLength = Bytes.u32le(data, pos);
        pos += 4;
        if (vendorLength > end - pos - 4) {
            throw new UnreadableException("its Vorbis comment vendor string claims " + vendorLength
                    + " bytes of a " + (end - offset) + "-byte block");
        }
        pos += (int) vendorLength;
        long count = Bytes.u32le(data, pos);
        pos += 4;
        TagValues values = new TagValues();
        for (long i = 0; i < count && end - pos >= 4; i++) {
            long length = Bytes.u32le(data, pos);
            pos += 4;
            if (length > end - pos) {
                break; // a truncated or lying block: keep the fields read so far, like other readers do
            }
            if (length <= MAX_FIELD_BYTES) {
                field(values, data, pos, (int) length);
            }
            pos += (int) length;
        }
        return values;
    }

    private static void field(TagValues values, byte[] data, int pos, int length) {
        int eq = -1;
        for (int i = pos; i < pos + length; i++) {
            if (data[i] == '=') {
                eq = i;
                break;
            }
        }
        if (eq <= pos) {
            return;
        }
        String key = new String(data, pos, eq - pos, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        String value = new String(data, eq + 1, pos + length - eq - 1, StandardCharsets.UTF_8);
        switch (key) {
            case "ALBUMARTIST", "ALBUM ARTIST", "ALBUM_ARTIST" -> values.albumArtist = first(values.albumArtist, value);
            case "ARTIST" -> values.artist = first(values.artist, value);
            case "ALBUM" -> values.album = first(values.album, value);
            case "TITLE" -> values.title = first(values.title, value);
            case "TRACKNUMBER", "TRACK" -> values.track = first(values.track, value);
            case "TRACKTOTAL", "TOTALTRACKS" -> values.trackTotal = first(values.trackTotal, value);
            case "DISCNUMBER", "DISC" -> values.disc = first(values.disc, value);
            case "DISCTOTAL", "TOTALDISCS" -> values.discTotal = first(values.discTotal, value);
            case "DATE" -> values.date = first(values.date, value);
            case "YEAR" -> values.yearOnly = first(values.yearOnly, value); // DATE wins when both exist
            case "GENRE" -> values.genre = first(values.genre, value);
            case "COMPOSER" -> values.composer = first(values.composer, value);
            case "COMPILATION" -> values.compilation = first(values.compilation, value);
            default -> {
                // not a field the paths use
            }
        }
    }

    private static String first(String current, String value) {
        return TagValues.clean(current) != null ? current : value;
    }
}
