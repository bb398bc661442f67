package io.musicfs.testkit.corpus;

/**
 * The tags the generator writes into one file, as a reader should return them. A {@code null}
 * string or a {@code 0} number means the tag is not written. How the values are encoded (for
 * example {@code TRCK 3/12} or {@code TRACKNUMBER=3} plus {@code TRACKTOTAL=12}) is the
 * {@link TagLayout}'s business, not this record's.
 *
 * @param artist the track artist
 * @param albumArtist the album artist
 * @param album the album title
 * @param title the track title; a file without one is named by the untagged pattern
 * @param track the track number
 * @param trackTotal the number of tracks (on the disc)
 * @param disc the disc number
 * @param discTotal the number of discs
 * @param date the release date, {@code 1997} or {@code 1997-05-21}
 * @param genre the genre name
 * @param composer the composer
 * @param compilation whether the compilation flag ({@code TCMP}, {@code COMPILATION}, {@code cpil}) is set
 */
public record Tags(String artist, String albumArtist, String album, String title, int track, int trackTotal,
                   int disc, int discTotal, String date, String genre, String composer, boolean compilation) {

    public Tags {
        for (String value : new String[] {artist, albumArtist, album, title, date, genre, composer}) {
            if (value != null && value.isEmpty()) {
                throw new IllegalArgumentException("an absent tag is null, not empty");
            }
        }
        if (track < 0 || trackTotal < 0 || disc < 0 || discTotal < 0) {
            throw new IllegalArgumentException("negative track or disc number");
        }
        if (date != null && !date.matches("\\d{4}(-\\d{2}-\\d{2})?")) {
            throw new IllegalArgumentException("date must be YYYY or YYYY-MM-DD: " + date);
        }
    }

    /** @return a builder with no tag set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder().artist(artist).albumArtist(albumArtist).album(album).title(title)
                .track(track, trackTotal).disc(disc, discTotal).date(date).genre(genre).composer(composer)
                .compilation(compilation);
    }

    /** @return the first four digits of the date, or {@code null} */
    public String year() {
        return date == null ? null : date.substring(0, 4);
    }

    /** Fluent construction of {@link Tags}, the way hard cases read best. */
    public static final class Builder {
        private String artist;
        private String albumArtist;
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

        private Builder() {
        }

        public Builder artist(String value) {
            artist = value;
            return this;
        }

        public Builder albumArtist(String value) {
            albumArtist = value;
            return this;
        }

        public Builder album(String value) {
            album = value;
            return this;
        }

        public Builder title(String value) {
            title = value;
            return this;
        }

        public Builder track(int number, int total) {
            track = number;
            trackTotal = total;
            return this;
        }

        public Builder disc(int number, int total) {
            disc = number;
            discTotal = total;
            return this;
        }

        public Builder date(String value) {
            date = value;
            return this;
        }

        public Builder genre(String value) {
            genre = value;
            return this;
        }

        public Builder composer(String value) {
            composer = value;
            return this;
        }

        public Builder compilation(boolean value) {
            compilation = value;
            return this;
        }

        public Tags build() {
            return new Tags(artist, albumArtist, album, title, track, trackTotal, disc, discTotal, date, genre,
                    composer, compilation);
        }
    }
}
