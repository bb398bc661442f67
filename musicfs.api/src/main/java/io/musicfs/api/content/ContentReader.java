package io.musicfs.api.content;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.musicfs.api.library.TrackFile;

import org.osgi.annotation.versioning.ProviderType;

/** Reads a catalogued file's bytes: from verified cached chunks, else from an origin that has the file. */
@ProviderType
public interface ContentReader {

    /**
     * Fills {@code dst} with the file's bytes from {@code offset}, up to its remaining capacity or
     * the end of the file. Bounded in time: every origin call has a deadline.
     *
     * @return the number of bytes read, -1 when {@code offset} is at or past the end
     * @throws ContentUnavailableException when the bytes are neither cached nor obtainable from any origin
     * @throws IOException for other failures; the message names the file and what failed
     */
    int read(TrackFile file, long offset, ByteBuffer dst) throws IOException;
}
