package io.musicfs.cas.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.musicfs.api.library.TrackFile;

import org.junit.jupiter.api.Test;

/** The read pattern of {@link FileVersion}: read-ahead handed out per stream, and handed out again after it gave up. */
class FileVersionTest {

    private static final int CS = 64 << 10;

    private final FileVersion version = new FileVersion(new TrackFile(1, "o", "a.flac", 40L * CS, 1, null), CS, 0);

    @Test
    void aSkippedReadAheadIsHandedOutAgainAtTheNextRead() {
        int q = CS / 4;
        assertNull(version.readAhead(0, q, 4), "a first read starts a stream");
        assertArrayEquals(new int[] {1, 4}, version.readAhead(q, 2 * q, 4));
        assertNull(version.readAhead(2 * q, 3 * q, 4), "each chunk once per stream");

        version.aheadSkipped(3);
        assertArrayEquals(new int[] {3, 4}, version.readAhead(3 * q, CS, 4), "from the skipped chunk on");
        assertArrayEquals(new int[] {5, 5}, version.readAhead(CS, CS + 1, 4));

        version.aheadSkipped(1); // the reader is in chunk 1 already: what lies ahead of it comes again
        assertArrayEquals(new int[] {2, 5}, version.readAhead(CS + 1, CS + 2, 4));
    }

    @Test
    void theWindowRampsUpAsTheStreamGoesOn() {
        int q = CS / 4;
        assertNull(version.readAhead(0, q, 16));
        assertArrayEquals(new int[] {1, 4}, version.readAhead(q, 2 * q, 16), "a stream in its first chunk reads 4 ahead");
        assertArrayEquals(new int[] {5, 9}, version.readAhead(2 * q, CS + q, 16), "one chunk passed: 8 ahead");
        assertArrayEquals(new int[] {10, 18}, version.readAhead(CS + q, 2 * CS + q, 16), "two passed: 16 ahead, the cap");
        assertArrayEquals(new int[] {19, 19}, version.readAhead(2 * CS + q, 3 * CS + q, 16), "capped at what the caller allows");
    }

    @Test
    void remoteOnceARemoteOriginServedIt() {
        assertFalse(version.remote());
        version.servedRemotely();
        assertTrue(version.remote());
    }
}
