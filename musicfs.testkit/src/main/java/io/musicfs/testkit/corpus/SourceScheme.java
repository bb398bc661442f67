package io.musicfs.testkit.corpus;

import java.util.List;
import java.util.Locale;

/**
 * The folder schemes bulk albums are filed under on the origin, as people and rippers leave them.
 * The mount ignores these paths (it names tracks by their tags), so they only have to be varied,
 * unique and free of hidden names.
 */
enum SourceScheme {
    /** {@code Artist/Album/CD1/03 Title.ext}. */
    ARTIST_ALBUM,
    /** {@code Artist/1997 - Album/1-03 - Title.ext}. */
    ARTIST_YEAR_ALBUM,
    /** {@code Album - Artist/Disc 1/03. Title.ext}. */
    ALBUM_DASH_ARTIST,
    /** {@code Artist - Album (1997)/Artist - 103 - Title.ext}. */
    ARTIST_DASH_ALBUM,
    /** {@code Unsorted/Artist - Album - 1-03 - Title.ext}: one flat folder for many albums. */
    FLAT,
    /** {@code Compilations/Album/CD1/03 Artist - Title.ext}. */
    COMPILATIONS,
    /** {@code VA - Album/1-03. Artist - Title.ext}. */
    VA;

    /** The schemes of albums that are not compilations, the plain one twice as likely. */
    static final List<SourceScheme> NORMAL = List.of(ARTIST_ALBUM, ARTIST_ALBUM, ARTIST_YEAR_ALBUM, ALBUM_DASH_ARTIST,
            ARTIST_DASH_ALBUM, FLAT);

    /** @return the folder holding the whole album (disc folders below it), or {@code null} for the flat scheme */
    String albumFolder(String artist, String album, String year) {
        return switch (this) {
            case ARTIST_ALBUM -> artist + "/" + album;
            case ARTIST_YEAR_ALBUM -> artist + "/" + (year == null ? "" : year + " - ") + album;
            case ALBUM_DASH_ARTIST -> album + " - " + artist;
            case ARTIST_DASH_ALBUM -> artist + " - " + album + (year == null ? "" : " (" + year + ")");
            case FLAT -> null;
            case COMPILATIONS -> "Compilations/" + album;
            case VA -> "VA - " + album;
        };
    }

    /** @param disc the disc number on a multi-disc album, 0 otherwise */
    String path(String artist, String album, String year, int disc, int track, String trackArtist, String title,
                String extension) {
        String nn = String.format(Locale.ROOT, "%02d", track);
        String discDash = disc == 0 ? "" : disc + "-";
        String name = switch (this) {
            case ARTIST_ALBUM -> (disc == 0 ? "" : "CD" + disc + "/") + nn + " " + title;
            case ARTIST_YEAR_ALBUM -> discDash + nn + " - " + title;
            case ALBUM_DASH_ARTIST -> (disc == 0 ? "" : "Disc " + disc + "/") + nn + ". " + title;
            case ARTIST_DASH_ALBUM -> artist + " - " + (disc == 0 ? "" : Integer.toString(disc)) + nn + " - " + title;
            case FLAT -> artist + " - " + album + " - " + discDash + nn + " - " + title;
            case COMPILATIONS -> (disc == 0 ? "" : "CD" + disc + "/") + nn + " " + trackArtist + " - " + title;
            case VA -> discDash + nn + ". " + trackArtist + " - " + title;
        };
        String folder = this == FLAT ? "Unsorted" : albumFolder(artist, album, year);
        return folder + "/" + name + "." + extension;
    }
}
