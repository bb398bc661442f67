package io.musicfs.catalog.internal.path;

import io.musicfs.catalog.internal.TrackTags;

/** Builds {@link TrackTags} for tests, naming each tag instead of thirteen positional arguments. */
public final class Tags {

    private String albumArtist;
    private String artist;
    private String album;
    private String title;
    private int track;
    private int trackTotal;
    private int disc;
    private int discTotal;
    private String date;
    private String genre;
    private String composer;
    private boolean compilation;
    private String format;

    public static Tags tags() {
        return new Tags();
    }

    public Tags albumArtist(String value) { albumArtist = value; return this; }
    public Tags artist(String value) { artist = value; return this; }
    public Tags album(String value) { album = value; return this; }
    public Tags title(String value) { title = value; return this; }
    public Tags track(int number, int total) { track = number; trackTotal = total; return this; }
    public Tags disc(int number, int total) { disc = number; discTotal = total; return this; }
    public Tags date(String value) { date = value; return this; }
    public Tags genre(String value) { genre = value; return this; }
    public Tags composer(String value) { composer = value; return this; }
    public Tags compilation() { compilation = true; return this; }
    public Tags format(String value) { format = value; return this; }

    public TrackTags build() {
        return new TrackTags(albumArtist, artist, album, title, track, trackTotal, disc, discTotal, date, genre,
                composer, compilation, format);
    }
}
