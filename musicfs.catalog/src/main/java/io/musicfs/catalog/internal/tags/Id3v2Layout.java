package io.musicfs.catalog.internal.tags;

import java.io.IOException;

/**
 * Finds an ID3v2 tag and fetches what a parser needs of it: every frame header and every frame
 * body up to {@link #MAX_FRAME_FETCH}; bigger frames (cover art, embedded files) stay holes, which
 * read as zeros and parse as an empty frame. A tag the walk cannot follow (whole-tag
 * unsynchronisation, an extended header, sizes that do not add up) is fetched whole.
 */
final class Id3v2Layout {

    static final int HEADER = 10;
    /** A frame body above this is a picture or a blob; the text frames the paths need are far smaller. */
    static final int MAX_FRAME_FETCH = 64 * 1024;

    private Id3v2Layout() {
    }

    /** @return whether an ID3v2 header starts at {@code offset} */
    static boolean present(RangeFetcher f, long offset) throws IOException, UnreadableException {
        if (!f.inFile(offset, HEADER)) {
            return false;
        }
        byte[] h = f.header(offset, HEADER);
        return Bytes.startsWith(h, 0, "ID3");
    }

    /**
     * @param maxTagBytes the largest tag accepted (a parser holds it in memory whole)
     * @return the offset just past the tag at {@code offset}, or {@code offset} when there is none
     */
    static long locate(RangeFetcher f, long offset, long maxTagBytes) throws IOException, UnreadableException {
        if (!present(f, offset)) {
            return offset;
        }
        byte[] h = f.header(offset, HEADER);
        int version = Bytes.u8(h, 3);
        int flags = Bytes.u8(h, 5);
        int size = Bytes.syncsafe(h, 6);
        if (version < 2 || version > 4 || Bytes.u8(h, 4) == 0xFF || size < 0) {
            throw new UnreadableException("its ID3v2 header at offset " + offset + " is corrupt (version "
                    + version + ", size bytes " + Bytes.u32be(h, 6) + ")");
        }
        long bodyEnd = offset + HEADER + size;
        long end = bodyEnd + (version == 4 && (flags & 0x10) != 0 ? HEADER : 0);
        if (end > f.size()) {
            throw new UnreadableException("its ID3v2 tag claims " + size + " bytes, more than the file holds");
        }
        if (end - offset > maxTagBytes) {
            throw new UnreadableException("its ID3v2 tag is " + (end - offset) + " bytes, above the limit of "
                    + maxTagBytes);
        }
        boolean unsynchronised = (flags & 0x80) != 0 && version < 4; // in v2.4 frame sizes stay true
        boolean extendedOrCompressed = (flags & 0x40) != 0;
        if (unsynchronised || extendedOrCompressed) {
            f.fetch(offset, end - offset);
            return end;
        }
        walkFrames(f, offset + HEADER, bodyEnd, version);
        return end;
    }

    private static void walkFrames(RangeFetcher f, long pos, long bodyEnd, int version)
            throws IOException, UnreadableException {
        int headerLength = version == 2 ? 6 : 10;
        int idLength = version == 2 ? 3 : 4;
        while (bodyEnd - pos >= headerLength) {
            byte[] fh = f.header(pos, headerLength);
            if (fh[0] == 0) {
                return; // padding
            }
            long frameSize;
            if (version == 2) {
                frameSize = Bytes.u24be(fh, 3);
            } else if (version == 3) {
                frameSize = Bytes.u32be(fh, 4);
            } else {
                int syncsafe = Bytes.syncsafe(fh, 4);
                frameSize = syncsafe >= 0 ? syncsafe : Bytes.u32be(fh, 4); // iTunes wrote plain sizes in v2.4
            }
            long bodyStart = pos + headerLength;
            if (!validId(fh, idLength) || frameSize > bodyEnd - bodyStart) {
                // the walk lost its way (non-standard sizes): give the parser the rest of the tag whole
                f.fetch(pos, bodyEnd - pos);
                return;
            }
            if (frameSize <= MAX_FRAME_FETCH) {
                f.fetch(bodyStart, frameSize);
            }
            pos = bodyStart + frameSize;
        }
    }

    private static boolean validId(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            int c = b[i];
            if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }
}
