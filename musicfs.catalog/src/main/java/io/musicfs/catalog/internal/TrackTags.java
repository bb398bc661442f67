package io.musicfs.catalog.internal;

/**
 * The tags of one audio file, as read, normalised only where the path patterns need it: strings
 * are trimmed and {@code null} when absent or blank, numbers are 0 when absent or unparsable.
 *
 * @param albumArtist album artist
 * @param artist track artist
 * @param album album title
 * @param title track title
 * @param track track number (from {@code 3/12} the 3)
 * @param trackTotal track count (from {@code 3/12} the 12, or a separate total tag)
 * @param disc disc number
 * @param discTotal disc count
 * @param date the date tag as written ({@code 1997}, {@code 1997-05-21})
 * @param genre genre
 * @param composer composer
 * @param compilation whether the compilation flag is set
 * @param format the audio format: FLAC, MP3, Ogg Vorbis, Opus, AAC, ALAC, WAV, AIFF; {@code null} when unknown
 */
public record TrackTags(String albumArtist, String artist, String album, String title, int track, int trackTotal,
        int disc, int discTotal, String date, String genre, String composer, boolean compilation, String format) {

    /** Tags of a file whose tags could not be read at all. */
    public static final TrackTags NONE = new TrackTags(null, null, null, null, 0, 0, 0, 0, null, null, null, false, null);

    /** @return the first four digits of the date when they are a year, else {@code null} */
    public String year() {
        if (date == null || date.length() < 4) {
            return null;
        }
        for (int i = 0; i < 4; i++) {
            if (!Character.isDigit(date.charAt(i)) || date.charAt(i) > '9') {
                return null;
            }
        }
        return date.substring(0, 4);
    }
}
