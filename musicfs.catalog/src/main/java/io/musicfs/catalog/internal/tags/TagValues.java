package io.musicfs.catalog.internal.tags;

import java.util.Locale;

import io.musicfs.catalog.internal.TrackTags;

import org.jaudiotagger.tag.reference.GenreTypes;

/**
 * The raw tag strings of one file as read from whichever tag format it has, and their
 * normalisation into {@link TrackTags}: trimmed, capped, {@code 3/12} split, ID3 genre numbers
 * named, compilation flags understood. Confined to the reading thread.
 */
final class TagValues {

    /** Longest tag string kept: a name is at most 255 bytes anyway; this stops hostile tags filling the database. */
    static final int MAX_VALUE_CHARS = 1024;
    /** Largest track or disc number taken seriously; anything above is garbage, read as absent. */
    private static final int MAX_NUMBER = 99_999;

    String albumArtist;
    String artist;
    String album;
    String title;
    String track;
    String trackTotal;
    String disc;
    String discTotal;
    String date;
    /** A YEAR field, used only when there is no DATE. */
    String yearOnly;
    String genre;
    String composer;
    String compilation;
    /** Whether a bare number in the genre is an ID3v1 genre index (ID3 tags only). */
    boolean id3Genre;

    /** Fills every field this one lacks from {@code other} (an ID3v2 tag completed by the ID3v1 tag). */
    void fillFrom(TagValues other) {
        albumArtist = or(albumArtist, other.albumArtist);
        artist = or(artist, other.artist);
        album = or(album, other.album);
        title = or(title, other.title);
        track = or(track, other.track);
        trackTotal = or(trackTotal, other.trackTotal);
        disc = or(disc, other.disc);
        discTotal = or(discTotal, other.discTotal);
        date = or(date, other.date);
        yearOnly = or(yearOnly, other.yearOnly);
        if (clean(genre) == null) {
            genre = other.genre;
            id3Genre = other.id3Genre;
        }
        composer = or(composer, other.composer);
        compilation = or(compilation, other.compilation);
    }

    TrackTags toTrackTags(String format) {
        int[] trackPair = numberPair(track);
        int[] discPair = numberPair(disc);
        int trackTotalNumber = number(trackTotal);
        int discTotalNumber = number(discTotal);
        return new TrackTags(clean(albumArtist), clean(artist), clean(album), clean(title),
                trackPair[0], trackTotalNumber != 0 ? trackTotalNumber : trackPair[1],
                discPair[0], discTotalNumber != 0 ? discTotalNumber : discPair[1],
                clean(or(date, yearOnly)), genre(), clean(composer), flag(compilation), format);
    }

    private static String or(String mine, String theirs) {
        return clean(mine) != null ? mine : theirs;
    }

    /** @return the value without NULs (ID3 terminators), trimmed, capped; {@code null} when blank */
    static String clean(String value) {
        if (value == null) {
            return null;
        }
        String v = value.indexOf('\0') >= 0 ? value.replace("\0", " ") : value;
        v = v.strip();
        if (v.isEmpty()) {
            return null;
        }
        if (v.length() > MAX_VALUE_CHARS) {
            int cut = MAX_VALUE_CHARS;
            if (Character.isHighSurrogate(v.charAt(cut - 1))) {
                cut--; // never split a surrogate pair
            }
            v = v.substring(0, cut).strip();
        }
        return v;
    }

    /** @return {number, total} from {@code 3}, {@code 03}, {@code 3/12}, {@code 3 / 12}; 0 where absent or garbage */
    static int[] numberPair(String value) {
        String v = clean(value);
        if (v == null) {
            return new int[] {0, 0};
        }
        int slash = v.indexOf('/');
        if (slash < 0) {
            return new int[] {number(v), 0};
        }
        return new int[] {number(v.substring(0, slash)), number(v.substring(slash + 1))};
    }

    /** @return the leading decimal number of the value, 0 when there is none or it is absurd */
    static int number(String value) {
        String v = clean(value);
        if (v == null) {
            return 0;
        }
        long n = 0;
        int digits = 0;
        for (int i = 0; i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9'; i++) {
            n = n * 10 + (v.charAt(i) - '0');
            if (++digits > 9) {
                return 0;
            }
        }
        return digits == 0 || n > MAX_NUMBER ? 0 : (int) n;
    }

    static boolean flag(String value) {
        String v = clean(value);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "y" -> true;
            default -> number(v) > 0;
        };
    }

    /** ID3 writes genres as {@code (17)}, {@code (17)Rock} or, in ID3 tags, a bare {@code 17}. */
    private String genre() {
        String v = clean(genre);
        if (v == null) {
            return null;
        }
        if (v.startsWith("(")) {
            int close = v.indexOf(')');
            if (close > 1 && close <= 4 && allDigits(v, 1, close)) {
                String refinement = clean(v.substring(close + 1));
                return refinement != null ? refinement : genreName(Integer.parseInt(v.substring(1, close)), v);
            }
        }
        if (id3Genre && v.length() <= 3 && allDigits(v, 0, v.length())) {
            return genreName(Integer.parseInt(v), v);
        }
        return v;
    }

    private static String genreName(int id, String fallback) {
        String name = GenreTypes.getInstanceOf().getValueForId(id);
        return name != null ? name : fallback;
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return to > from;
    }
}
