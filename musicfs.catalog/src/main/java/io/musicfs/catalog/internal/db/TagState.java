package io.musicfs.catalog.internal.db;

/** What the catalog knows about a file's tags. */
public enum TagState {
    /** The tags were read (they may still be empty). */
    READ(0),
    /**
     * The file is not the audio its extension says, or its tags are broken: listed untagged, not
     * read again until it changes.
     */
    UNREADABLE(1),
    /** Reading failed for a reason outside the file (the origin did not deliver): read again at the next sync. */
    PENDING(2);

    final short code;

    TagState(int code) {
        this.code = (short) code;
    }

    static TagState of(int code) {
        return switch (code) {
            case 0 -> READ;
            case 1 -> UNREADABLE;
            default -> PENDING;
        };
    }
}
