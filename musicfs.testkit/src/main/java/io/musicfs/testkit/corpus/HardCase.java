package io.musicfs.testkit.corpus;

/**
 * The awkward files every corpus made with hard cases on contains, each under its own
 * {@link #id()} in the truth's {@code case} column. Bulk tracks use {@code bulk}, large tracks
 * {@code large}.
 */
public enum HardCase {
    /** Chinese and Japanese artist, album and titles, through every tag writer. */
    UNICODE_CJK("unicode-cjk"),
    /** Arabic and Hebrew (right-to-left) names. */
    UNICODE_RTL("unicode-rtl"),
    /** Emoji, which are surrogate pairs in Java and UTF-16 ID3 frames. */
    UNICODE_EMOJI("unicode-emoji"),
    /** {@code / \ : * ? " < > |}, a control character and {@code ..} inside tags. */
    RESERVED_CHARACTERS("reserved-characters"),
    /** A title starting with a dot and no track number: the name must not become hidden. */
    LEADING_DOT("leading-dot"),
    /** Titles and an album over 255 bytes of UTF-8, with multibyte characters where the cut falls. */
    LONG_NAMES("long-names"),
    /** Album artist set, track artist missing. */
    ALBUM_ARTIST_ONLY("album-artist-only"),
    /** Track artist set, album artist missing. */
    ARTIST_ONLY("artist-only"),
    /** Artist and title but no album: {@code Unknown Album}. */
    MISSING_ALBUM("missing-album"),
    /** Untagged copies of every format, two of them with one file name. */
    NO_TAGS("no-tags"),
    /** Artist and album but no title: named by the untagged pattern. */
    NO_TITLE("no-title"),
    /** Compilation flag with {@code Various Artists}, the flag alone, {@code various artists} alone. */
    COMPILATION("compilation"),
    /** Discs 1 and 2 of 2, and a disc 1 of 1 that gets no disc prefix. */
    MULTI_DISC("multi-disc"),
    /** Track numbers written {@code 3/12} in one tag, in ID3 and in a Vorbis comment. */
    TRACK_OF_TOTAL("track-of-total"),
    /** Three files of one album with one title and track number: {@code (2)}, {@code (3)}. */
    DUPLICATE_TITLES("duplicate-titles"),
    /** {@code The Beatles}, {@code the beatles}, {@code THE BEATLES } in one album: one folder. */
    ARTIST_CASE_VARIANTS("artist-case-variants"),
    /** MP3 files with an ID3v1.1 tag and nothing else. */
    ID3V1_ONLY("id3v1-only"),
    /** An upper-case extension ({@code .FLAC}) and the short {@code .aif}. */
    EXTENSION_CASE("extension-case"),
    /** Empty files with audio extensions: untagged. */
    ZERO_BYTE("zero-byte"),
    /** Files cut inside their tags (head kept, tail cut): untagged. */
    TRUNCATED("truncated"),
    /** Random bytes named {@code .mp3}: untagged. */
    RANDOM_BYTES("random-bytes"),
    /** {@code cover.jpg}, {@code notes.txt}, a {@code .cue} sheet: never listed. */
    NON_AUDIO("non-audio"),
    /** A symbolic link to a tagged file: listed, and it collides with its target. */
    SYMLINK_FILE("symlink-file"),
    /** A symbolic link to an album folder: every file listed once per path that reaches it. */
    SYMLINK_DIRECTORY("symlink-directory"),
    /** A symbolic link to nothing: skipped. */
    BROKEN_SYMLINK("broken-symlink"),
    /** A symbolic link to an ancestor folder: skipped, nothing under it is listed. */
    SYMLINK_LOOP("symlink-loop"),
    /** {@code .hidden.flac} next to a visible track: skipped. */
    HIDDEN_FILE("hidden-file"),
    /** Audio inside a {@code .git}-like hidden folder: skipped. */
    HIDDEN_DIRECTORY("hidden-directory"),
    /** A track nine folders deep in a messy backup scheme. */
    DEEP_FOLDER("deep-folder");

    private final String id;

    HardCase(String id) {
        this.id = id;
    }

    /** @return the name in the truth's {@code case} column */
    public String id() {
        return id;
    }
}
